// One frozen report drawn as tables: the totals, and per body what was done, what moved and
// why, what is late and with whom, what is new, what is due next; and the comparison of two.
import type { reports } from '../../api'
import { t, tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'

type Row = reports.ReportRow

const STATUS: Record<string, MessageKey> = {
  gepland: 'reports.status.gepland',
  op_koers: 'reports.status.op_koers',
  risico: 'reports.status.risico',
  te_laat: 'reports.status.te_laat',
  verschoven: 'reports.status.verschoven',
  gereed: 'reports.status.gereed',
  vervallen: 'reports.status.vervallen',
}

export function statusText(status: string): string {
  const key = STATUS[status]
  return key ? t(key) : status
}

function table(caption: string, headers: MessageKey[], rows: (string | Node)[][]): HTMLElement {
  if (rows.length === 0) return tr(h('p', { class: 'muted' }), 'reports.none')
  return h(
    'table',
    { class: 'table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((key) => tr(h('th', { scope: 'col' }), key)))),
    h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, first ?? ''), ...rest.map((cell) => h('td', {}, cell))))),
  )
}

const ROW_HEADERS: MessageKey[] = ['reports.col.title', 'reports.col.status', 'reports.col.due', 'reports.col.leads']
const rowCells = (r: Row): string[] => [r.title, statusText(r.status), r.due, r.leads.join(', ') || '—']

function rowsTable(caption: string, rows: Row[]): HTMLElement {
  return table(caption, ROW_HEADERS, rows.map(rowCells))
}

function totalsList(totals: reports.ReportTotals): HTMLElement {
  const item = (key: MessageKey, n: number): HTMLElement => h('li', {}, t(key, { n: String(n) }))
  return h(
    'ul',
    { class: 'report-totals' },
    item('reports.total.milestones', totals.milestones),
    item('reports.total.done', totals.done),
    item('reports.total.moved', totals.moved),
    item('reports.total.late', totals.late),
    item('reports.total.new', totals.new),
    item('reports.total.dueNext', totals.due_next),
  )
}

/** The report's content as headed tables; `level` is the heading level of the body names. */
export function reportView(report: reports.Report): HTMLElement {
  const c = report.content
  const parts: HTMLElement[] = [
    tr(h('p', {}), 'reports.view.period', { period: c.period, from: c.from, to: c.to, asOf: c.as_of }),
    h('p', {}, t('reports.view.hash'), ' ', h('code', { class: 'report-hash' }, report.content_hash)),
    tr(h('h3', {}), 'reports.view.totals'),
    totalsList(c.totals),
  ]
  for (const body of c.bodies) {
    const sub = (key: MessageKey): HTMLElement => tr(h('h4', {}), key)
    parts.push(
      h('h3', {}, body.body_name),
      totalsList(body.totals),
      sub('reports.section.done'),
      rowsTable(t('reports.section.done'), body.done),
      sub('reports.section.moved'),
      table(
        t('reports.section.moved'),
        ['reports.col.title', 'reports.col.oldDue', 'reports.col.newDue', 'reports.col.reason', 'reports.col.agreedWith', 'reports.col.day'],
        body.moved.map((m) => [m.title, m.old_due ?? '—', m.new_due ?? '—', m.reason ?? '—', m.agreed_with ?? '—', m.day]),
      ),
      sub('reports.section.late'),
      rowsTable(t('reports.section.late'), body.late),
      sub('reports.section.new'),
      rowsTable(t('reports.section.new'), body.new),
      sub('reports.section.dueNext'),
      rowsTable(t('reports.section.dueNext'), body.due_next),
    )
  }
  return h('div', { class: 'report-view', id: 'report-view' }, ...parts)
}

/** What changed between two reports. */
export function comparisonView(comparison: reports.Comparison): HTMLElement {
  const ch = comparison.changes
  const total = ch.added.length + ch.removed.length + ch.status_changed.length + ch.date_moved.length
  return h(
    'div',
    { class: 'report-compare', id: 'report-compare-result' },
    tr(h('p', {}), total === 0 ? 'reports.compare.same' : 'reports.compare.summary', { n: String(total) }),
    tr(h('h3', {}), 'reports.compare.added'),
    rowsTable(t('reports.compare.added'), ch.added),
    tr(h('h3', {}), 'reports.compare.removed'),
    rowsTable(t('reports.compare.removed'), ch.removed),
    tr(h('h3', {}), 'reports.compare.status'),
    table(
      t('reports.compare.status'),
      ['reports.col.title', 'reports.col.before', 'reports.col.after'],
      ch.status_changed.map((s) => [s.title, statusText(s.from), statusText(s.to)]),
    ),
    tr(h('h3', {}), 'reports.compare.dates'),
    table(
      t('reports.compare.dates'),
      ['reports.col.title', 'reports.col.before', 'reports.col.after'],
      ch.date_moved.map((d) => [d.title, d.from, d.to]),
    ),
  )
}
