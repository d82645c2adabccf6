// Progress reports, /programme/reports (?body=ID preselects a body): freeze a report for a
// quarter, half or year (with a confirmation, since a frozen report never changes), list the
// frozen reports with their SHA-256, open one as tables, download it as PDF, DOCX or CSV, and
// compare two. The server decides who may freeze and read; refusals are shown as it words them.
import { directory, reports, type Body } from '../api'
import type { App } from '../app'
import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { busy, dateText, field, loading, messageBox, section, select } from '../ui/widgets'
import { comparisonView, reportView } from './reports/view'

/** The periods offered: the quarters, halves and years around `today`, current quarter first. */
export function periodChoices(today: Date): string[] {
  const year = today.getFullYear()
  const quarter = Math.floor(today.getMonth() / 3) + 1
  const out: string[] = []
  for (let y = year; y >= year - 1; y--) {
    for (let q = 4; q >= 1; q--) {
      if (y === year && q > quarter) continue
      out.push(`${y}-Q${q}`)
    }
  }
  out.push(`${year}-H1`, `${year}-H2`, `${year - 1}-H2`, `${year - 1}-H1`, String(year), String(year - 1))
  return out
}

export function reportsScreen(app: App, query: URLSearchParams): Screen {
  return {
    title: () => t('reports.title'),
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let bodies: Body[]
      try {
        bodies = await directory.listBodies()
      } catch (error) {
        const box = messageBox()
        box.error(error)
        main.replaceChildren(tr(h('h1', {}), 'reports.title'), box.element)
        return
      }
      const wanted = query.get('body')
      const scope = select(
        [...bodies.map((b): [string, string] => [String(b.id), b.name]), ['programme', 'reports.scope.programme', true]],
        { id: 'report-scope' },
      )
      if (wanted && bodies.some((b) => String(b.id) === wanted)) scope.value = wanted
      const period = select(
        periodChoices(new Date()).map((p): [string, string] => [p, p]),
        { id: 'report-period' },
      )
      const box = messageBox()
      const status = h('p', { role: 'status', class: 'muted', id: 'report-progress' })
      const freeze = tr(h('button', { type: 'submit', class: 'button-primary', id: 'report-freeze' }), 'reports.freeze.button')
      const confirmBox = h('div', { class: 'alert', id: 'report-confirm' })
      confirmBox.hidden = true
      const form = h(
        'form',
        { class: 'stack', id: 'report-form', novalidate: true },
        box.element,
        field('reports.freeze.scope', scope),
        field('reports.freeze.period', period, 'reports.freeze.periodHint'),
        h('div', { class: 'actions' }, freeze),
        confirmBox,
        status,
      )

      const listBox = messageBox()
      const listHolder = h('div', { id: 'report-list' })
      const viewHolder = h('div', { id: 'report-open' })
      const fromSelect = h('select', { id: 'compare-from' })
      const toSelect = h('select', { id: 'compare-to' })
      const compareButton = tr(h('button', { type: 'submit', class: 'button-quiet', id: 'compare-run' }), 'reports.compare.button')
      const compareBox = messageBox()
      const compareHolder = h('div', {})
      const compareForm = h(
        'form',
        { class: 'stack', id: 'compare-form', novalidate: true },
        compareBox.element,
        field('reports.compare.from', fromSelect),
        field('reports.compare.to', toSelect),
        h('div', { class: 'actions' }, compareButton),
        compareHolder,
      )

      const open = async (id: number): Promise<void> => {
        viewHolder.replaceChildren(loading())
        try {
          const report = await reports.get(id)
          const name = report.body_name ?? t('reports.scope.programme')
          const download = (format: 'pdf' | 'docx' | 'csv', key: 'reports.download.pdf' | 'reports.download.docx' | 'reports.download.csv'): HTMLElement =>
            tr(h('a', { href: reports.fileUrl(id, format), download: `voortgangsrapportage-${report.period}-${id}.${format}`, class: 'button-quiet', id: `report-download-${format}` }), key)
          const heading = h('h2', { id: 'report-open-title', tabindex: '-1' }, t('reports.view.title', { period: report.period, scope: name }))
          viewHolder.replaceChildren(
            h('section', { class: 'card', 'aria-labelledby': 'report-open-title' }, heading, h('div', { class: 'programme-exports' }, download('pdf', 'reports.download.pdf'), download('docx', 'reports.download.docx'), download('csv', 'reports.download.csv')), reportView(report)),
          )
          heading.focus()
        } catch (error) {
          const failed = messageBox()
          failed.error(error)
          viewHolder.replaceChildren(failed.element)
        }
      }

      const loadList = async (): Promise<void> => {
        listBox.clear()
        try {
          const page = await reports.list()
          fromSelect.replaceChildren()
          toSelect.replaceChildren()
          if (page.items.length === 0) {
            listHolder.replaceChildren(tr(h('p', { class: 'muted' }), 'reports.list.empty'))
            compareForm.hidden = true
            return
          }
          compareForm.hidden = page.items.length < 2
          const label = (r: reports.ReportSummary): string => `${r.period} — ${r.body_name ?? t('reports.scope.programme')} (#${r.id})`
          for (const r of page.items) {
            fromSelect.append(h('option', { value: String(r.id) }, label(r)))
            toSelect.append(h('option', { value: String(r.id) }, label(r)))
          }
          if (page.items.length > 1) fromSelect.selectedIndex = 1
          const rows = page.items.map((r) => {
            const openButton = h('button', { type: 'button', class: 'button-quiet', 'data-report': String(r.id) }, t('reports.list.open', { period: r.period }))
            openButton.addEventListener('click', () => void open(r.id))
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, r.period),
              h('td', {}, r.body_name ?? t('reports.scope.programme')),
              h('td', {}, dateText(r.frozen_at)),
              h('td', {}, h('code', { class: 'report-hash' }, r.content_hash)),
              h('td', {}, openButton),
            )
          })
          listHolder.replaceChildren(
            h(
              'table',
              { class: 'table', id: 'report-table' },
              tr(h('caption', {}), 'reports.list.caption'),
              h('thead', {}, h('tr', {}, ...(['reports.col.period', 'reports.col.scope', 'reports.col.frozenAt', 'reports.col.hash', 'reports.col.actions'] as const).map((k) => tr(h('th', { scope: 'col' }), k)))),
              h('tbody', {}, ...rows),
            ),
          )
        } catch (error) {
          listBox.error(error)
        }
      }

      form.addEventListener('submit', (event) => {
        event.preventDefault()
        box.clear()
        const scopeName = scope.value === 'programme' ? t('reports.scope.programme') : (bodies.find((b) => String(b.id) === scope.value)?.name ?? '')
        const yes = tr(h('button', { type: 'button', class: 'button-primary', id: 'report-confirm-yes' }), 'reports.freeze.confirmYes')
        const no = tr(h('button', { type: 'button', class: 'button-quiet', id: 'report-confirm-no' }), 'common.cancel')
        confirmBox.replaceChildren(tr(h('p', {}), 'reports.freeze.confirm', { period: period.value, scope: scopeName }), h('div', { class: 'actions' }, yes, no))
        confirmBox.hidden = false
        yes.focus()
        no.addEventListener('click', () => {
          confirmBox.hidden = true
          freeze.focus()
        })
        yes.addEventListener('click', () => {
          confirmBox.hidden = true
          status.textContent = t('reports.freeze.busy')
          void busy(freeze, async () => {
            try {
              const frozen = await reports.freeze(period.value, scope.value === 'programme' ? null : Number(scope.value))
              status.textContent = t('reports.freeze.done', { period: frozen.period })
              announce(t('reports.freeze.done', { period: frozen.period }))
              await loadList()
              await open(frozen.id)
            } catch (error) {
              status.textContent = ''
              box.error(error)
            }
          })
        })
      })

      compareForm.addEventListener('submit', (event) => {
        event.preventDefault()
        compareBox.clear()
        void busy(compareButton, async () => {
          try {
            compareHolder.replaceChildren(comparisonView(await reports.compare(Number(fromSelect.value), Number(toSelect.value))))
          } catch (error) {
            compareBox.error(error)
          }
        })
      })

      const back = wanted ? h('p', { class: 'back' }, tr(h('a', { href: `/groups/${wanted}/programme`, 'data-link': true }), 'reports.back')) : null
      main.replaceChildren(
        ...(back ? [back] : []),
        tr(h('h1', {}), 'reports.title'),
        tr(h('p', { class: 'lead' }), 'reports.intro'),
        section('report-freeze-section', 'reports.freeze.title', tr(h('p', { class: 'hint' }), 'reports.freeze.intro'), form),
        section('report-list-section', 'reports.list.title', listBox.element, listHolder),
        section('report-compare-section', 'reports.compare.title', compareForm),
        viewHolder,
      )
      await loadList()
    },
  }
}
