// The programme monitor, /programme: the milestones of every body the person may read. Filters
// (body, party, action line, quarter, bucket) are form controls kept in the URL query; counts
// are tables; due soon, late, moved (with the reason and the old → new date) and recently done
// are lists; the timeline is a table whose bar column draws each span (the dates are in the
// cells beside it, so the bars add nothing a screen reader misses); and per party what it owes
// and to whom.
import { directory, monitor as api } from '../api'
import type { Capped, Monitor, MonitorCounts, MonitorFilter, MonitorItem, MonitorSpan } from '../api/monitor'
import { MONITOR_KEYS } from '../api/monitor'
import type { App } from '../app'
import { formatDay, t, tr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { loading, partyChip, section, select } from '../ui/widgets'
import { milestoneChip } from './governance'
import { formErrors, formField, present } from './programme/form'
import { STATUSES, statusText } from './programme/labels'
import './programme/programme.css'

const BUCKETS: [string, MessageKey][] = [
  ['due_soon', 'monitor.bucket.dueSoon'],
  ['late', 'monitor.bucket.late'],
  ['moved', 'monitor.bucket.moved'],
  ['done', 'monitor.bucket.done'],
  ['open', 'monitor.bucket.open'],
]

const COLUMNS: [keyof MonitorCounts, MessageKey][] = [
  ['total', 'monitor.count.total'],
  ['open', 'monitor.count.open'],
  ['due_soon', 'monitor.count.dueSoon'],
  ['late', 'monitor.count.late'],
  ['moved', 'monitor.count.moved'],
  ['done', 'monitor.count.done'],
]

function countsTable(id: string, caption: MessageKey, head: MessageKey, rows: [string, MonitorCounts][]): HTMLElement {
  if (rows.length === 0) return tr(h('p', { class: 'muted', id }), 'monitor.nothing')
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-caption` },
    h(
      'table',
      { class: 'table', id },
      tr(h('caption', { id: `${id}-caption` }), caption),
      h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), head), ...COLUMNS.map(([, key]) => tr(h('th', { scope: 'col' }), key)))),
      h('tbody', {}, ...rows.map(([name, counts]) => h('tr', {}, h('th', { scope: 'row' }, name), ...COLUMNS.map(([col]) => h('td', { 'data-count': col }, String(counts[col])))))),
    ),
  )
}

function milestoneLink(id: number, title: string): HTMLElement {
  return h('a', { href: `/milestones/${id}`, 'data-link': true, class: 'milestone-title' }, title)
}

function truncatedNote(list: Capped<unknown>): HTMLElement | null {
  return list.truncated ? tr(h('p', { class: 'hint' }), 'monitor.truncated', { count: list.items.length }) : null
}

function itemList(id: string, list: Capped<MonitorItem>, withMove = false): HTMLElement {
  if (list.items.length === 0) return tr(h('p', { class: 'muted', id }), 'milestone.none')
  return h(
    'div',
    {},
    h(
      'ul',
      { class: 'milestone-list', id },
      ...list.items.map((m) =>
        h(
          'li',
          { 'data-milestone': String(m.id) },
          milestoneLink(m.id, m.title),
          ' ',
          milestoneChip(m.status),
          ' ',
          h('span', { class: 'muted' }, `${m.body} · ${m.due_raw || t('milestone.noDate')}`),
          ' ',
          ...m.owners.filter((o) => o.role === 'lead').map((o) => partyChip(o.code)),
          m.predecessor_slipped ? tr(h('span', { class: 'chip chip-warning' }), 'monitor.slipped') : null,
          withMove && m.moved
            ? tr(h('p', { class: 'hint' }), 'monitor.moveLine', {
                from: m.moved.old_due ?? '?',
                to: m.moved.new_due ?? '?',
                reason: m.moved.reason ?? '—',
                with: m.moved.agreed_with ?? '—',
                on: formatDay(m.moved.on),
              })
            : null,
        ),
      ),
    ),
    truncatedNote(list),
  )
}

const DAY = 86_400_000
const time = (day: string): number => Date.parse(`${day}T00:00:00Z`)

function timeline(list: Capped<MonitorSpan>): HTMLElement {
  if (list.items.length === 0) return tr(h('p', { class: 'muted', id: 'monitor-timeline' }), 'monitor.nothing')
  const first = Math.min(...list.items.map((s) => time(s.from)))
  const last = Math.max(...list.items.map((s) => time(s.to)))
  const width = Math.max(last - first, DAY)
  const sourceKey: Record<MonitorSpan['from_source'], MessageKey> = { start: 'monitor.from.start', predecessor: 'monitor.from.predecessor', created: 'monitor.from.created' }
  const rows = list.items.map((s) => {
    const left = ((time(s.from) - first) / width) * 100
    const span = Math.max(((time(s.to) - time(s.from)) / width) * 100, 0.8)
    return h(
      'tr',
      { 'data-milestone': String(s.id) },
      h('th', { scope: 'row' }, milestoneLink(s.id, s.title), h('span', { class: 'muted' }, ` · ${s.body}`)),
      h('td', {}, formatDay(s.from), ' ', tr(h('span', { class: 'muted' }), sourceKey[s.from_source])),
      h('td', {}, formatDay(s.to)),
      h('td', {}, milestoneChip(s.status), s.predecessor_slipped ? tr(h('span', { class: 'chip chip-warning' }), 'monitor.slipped') : null),
      h('td', { class: 'span-cell', 'aria-hidden': 'true' }, spanBar(left, span, s.predecessor_slipped)),
    )
  })
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'monitor-timeline-caption' },
      h(
        'table',
        { class: 'table monitor-timeline', id: 'monitor-timeline' },
        tr(h('caption', { id: 'monitor-timeline-caption' }), 'monitor.timelineCaption', { from: formatDay(new Date(first).toISOString().slice(0, 10)), to: formatDay(new Date(last).toISOString().slice(0, 10)) }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            tr(h('th', { scope: 'col' }), 'pm.field.milestone'),
            tr(h('th', { scope: 'col' }), 'monitor.col.from'),
            tr(h('th', { scope: 'col' }), 'monitor.col.to'),
            tr(h('th', { scope: 'col' }), 'pm.field.status'),
            tr(h('th', { scope: 'col', 'aria-hidden': 'true' }), 'monitor.col.bar'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
    truncatedNote(list),
  )
}

function owes(board: Monitor): HTMLElement {
  if (board.owes.length === 0) return tr(h('p', { class: 'muted', id: 'monitor-owes' }), 'monitor.nothing')
  return h(
    'div',
    { id: 'monitor-owes' },
    ...board.owes.map((party) =>
      h(
        'div',
        { class: 'owes-party', 'data-party': party.code },
        h('h3', {}, partyChip(party.code), ' ', party.name),
        h(
          'ul',
          { class: 'milestone-list' },
          ...party.items.map((o) =>
            h(
              'li',
              { 'data-milestone': String(o.id) },
              milestoneLink(o.id, o.title),
              ' ',
              milestoneChip(o.status),
              ' ',
              tr(h('span', { class: 'muted' }), o.with.length ? 'monitor.owedWith' : 'monitor.owedTo', { body: o.body, due: o.due_raw || t('milestone.noDate'), with: o.with.join(', ') }),
            ),
          ),
        ),
        truncatedNote(party),
      ),
    ),
  )
}

export function monitorScreen(app: App, query: URLSearchParams): Screen {
  return {
    title: () => t('monitor.title'),
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      const today = query.get('today') ?? undefined
      let options: Monitor
      let partyNames: Map<string, string>
      try {
        const [all, parties] = await Promise.all([api.monitor(today ? { today } : {}), directory.listParties()])
        options = all
        partyNames = new Map(parties.map((p) => [p.code, p.name]))
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'monitor.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      const bodyFilter = select([['', 'monitor.filter.allBodies', true], ...options.bodies.map((b): [string, string] => [String(b.id), b.name])], { id: 'monitor-body' })
      const partyCodes = options.by_party.map((p) => p.key)
      const partyFilter = select([['', 'programme.allParties', true], ...partyCodes.map((code): [string, string] => [code, partyNames.get(code) ? `${code} — ${partyNames.get(code)}` : code])], { id: 'monitor-party' })
      const bodyName = new Map(options.bodies.map((b) => [b.id, b.name]))
      const lineRows = options.by_action_line.filter((r) => r.key.action_line_id !== null)
      const lineFilter = select([['', 'pm.filter.allLines', true], ...lineRows.map((r): [string, string] => [String(r.key.action_line_id), `${r.name} (${bodyName.get(r.key.body_id) ?? ''})`])], { id: 'monitor-line' })
      const quarterFilter = select([['', 'monitor.filter.allQuarters', true], ...options.by_quarter.map((r): [string, string] => [r.key, r.key === 'onbekend' ? t('milestone.noDate') : r.key.replace('-', ' ')])], { id: 'monitor-quarter' })
      const bucketFilter = select([['', 'pm.filter.allStatuses', true], ...BUCKETS.map(([v, k]): [string, string, boolean] => [v, k, true]), ...STATUSES.map((s): [string, string] => [s, statusText(s)])], { id: 'monitor-status' })
      const controls: Record<(typeof MONITOR_KEYS)[number], HTMLSelectElement> = { body: bodyFilter, party: partyFilter, action_line: lineFilter, quarter: quarterFilter, status: bucketFilter }
      for (const key of MONITOR_KEYS) controls[key].value = query.get(key) ?? ''
      const fields = {
        body: formField('monitor.filter.body', bodyFilter),
        party: formField('programme.partyFilter', partyFilter),
        action_line: formField('pm.filter.line', lineFilter),
        quarter: formField('monitor.filter.quarter', quarterFilter),
        status: formField('monitor.filter.bucket', bucketFilter),
      }
      const errors = formErrors(fields)
      const filters = h(
        'form',
        { class: 'programme-filters', id: 'monitor-filters', novalidate: true, role: 'search', 'aria-label': t('pm.filter.label') },
        errors.box,
        ...Object.values(fields).map((f) => f.element),
        h('div', { class: 'actions' }, tr(h('button', { type: 'submit', class: 'button-primary' }), 'pm.filter.apply')),
      )
      const holder = h('div', { id: 'monitor-content', 'aria-live': 'polite', 'aria-busy': 'false' })
      const current = (): MonitorFilter => {
        const filter: MonitorFilter = today ? { today } : {}
        for (const key of MONITOR_KEYS) if (controls[key].value) filter[key] = controls[key].value
        return filter
      }
      const render = async (): Promise<void> => {
        errors.clear()
        holder.setAttribute('aria-busy', 'true')
        try {
          const board = await api.monitor(current())
          holder.replaceChildren(
            ...present(
            tr(h('p', { class: 'hint', id: 'monitor-state' }), 'monitor.state', { count: board.overall.total }),
            board.milestones_truncated ? tr(h('p', { class: 'alert' }), 'monitor.milestonesTruncated') : null,
            section('monitor-counts', 'monitor.counts', countsTable('monitor-overall', 'monitor.overallCaption', 'monitor.col.group', [[t('monitor.all'), board.overall]])),
            section('monitor-by-body', 'monitor.byBody', countsTable('monitor-bodies', 'monitor.byBody', 'monitor.filter.body', board.by_body.map((r) => [r.name, r]))),
            section('monitor-by-party', 'monitor.byParty', countsTable('monitor-parties', 'monitor.byParty', 'monitor.col.party', board.by_party.map((r) => [r.key, r]))),
            section('monitor-by-line', 'monitor.byLine', countsTable('monitor-lines', 'monitor.byLine', 'pm.filter.line', board.by_action_line.map((r) => [`${r.name} (${bodyName.get(r.key.body_id) ?? ''})`, r]))),
            section('monitor-by-quarter', 'monitor.byQuarter', countsTable('monitor-quarters', 'monitor.byQuarter', 'monitor.filter.quarter', board.by_quarter.map((r) => [r.key === 'onbekend' ? t('milestone.noDate') : r.key.replace('-', ' '), r]))),
            h(
              'div',
              { class: 'programme-lists' },
              section('monitor-due-soon', 'programme.dueSoon', itemList('monitor-due-soon-list', board.due_soon)),
              section('monitor-late', 'programme.late', itemList('monitor-late-list', board.late)),
              section('monitor-moved', 'monitor.moved', itemList('monitor-moved-list', board.moved, true)),
              section('monitor-done', 'monitor.recentlyDone', itemList('monitor-done-list', board.recently_done)),
            ),
            section('monitor-timeline-section', 'programme.timeline', tr(h('p', { class: 'hint' }), 'monitor.timelineHint'), timeline(board.timeline)),
            section('monitor-owes-section', 'monitor.owes', tr(h('p', { class: 'hint' }), 'monitor.owesHint'), owes(board)),
            ),
          )
        } catch (error) {
          errors.show(error)
        } finally {
          holder.setAttribute('aria-busy', 'false')
        }
      }
      const apply = (): void => {
        const url = new URL(location.href)
        for (const key of MONITOR_KEYS) url.searchParams.delete(key)
        for (const key of MONITOR_KEYS) if (controls[key].value) url.searchParams.set(key, controls[key].value)
        history.replaceState(null, '', url.pathname + url.search)
        void render().then(() => announce(document.getElementById('monitor-state')?.textContent ?? ''))
      }
      for (const control of Object.values(controls)) control.addEventListener('change', apply)
      filters.addEventListener('submit', (event) => {
        event.preventDefault()
        apply()
      })
      main.replaceChildren(tr(h('h1', {}), 'monitor.title'), tr(h('p', { class: 'lead' }), 'monitor.lead', { date: formatDay(options.today) }), filters, holder)
      await render()
    },
  }
}

// A timeline bar. Its position is set through the CSSOM: the site's CSP (style-src 'self')
// refuses inline style attributes.
function spanBar(left: number, width: number, slipped: boolean): HTMLElement {
  const bar = h('span', { class: `span-bar${slipped ? ' span-slipped' : ''}` })
  bar.style.marginLeft = `${left.toFixed(2)}%`
  bar.style.width = `${width.toFixed(2)}%`
  return bar
}
