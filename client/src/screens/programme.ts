// The programme dashboard, /groups/{id}/programme: a timeline of milestones per action line
// by quarter (status as a text chip, never colour alone), the milestones due in the next 30
// days and the late ones, filtered by party.
import { directory, governance, type ActionLine, type Dashboard, type Milestone } from '../api'
import type { App } from '../app'
import { formatDay, t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { field, loading, partyChip, section, select } from '../ui/widgets'
import { milestoneChip } from './governance'

/** "2025-Q2" of a milestone's (latest) due date, null without a date. */
export function quarterOf(m: Milestone): string | null {
  const date = m.due.latest ?? m.due.earliest
  if (!date || !/^\d{4}-\d{2}/.test(date)) return null
  const month = Number(date.slice(5, 7))
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`
}

function item(m: Milestone): HTMLElement {
  const owners = m.owners.filter((o) => o.role === 'lead')
  return h(
    'li',
    { 'data-milestone': String(m.id), class: 'timeline-item' },
    h('span', { class: 'milestone-title' }, m.title),
    ' ',
    milestoneChip(m.status),
    ' ',
    h('span', { class: 'muted' }, m.due.raw || t('milestone.noDate')),
    ' ',
    ...(owners.length ? owners : m.owners).map((o) => partyChip(o.code)),
  )
}

function timeline(lines: ActionLine[], milestones: Milestone[]): HTMLElement {
  if (milestones.length === 0) return tr(h('p', { class: 'muted', id: 'timeline' }), 'programme.noMilestones')
  const quarters = [...new Set(milestones.map(quarterOf).filter((q): q is string => q !== null))].sort()
  const undated = milestones.some((m) => quarterOf(m) === null)
  const rows: { id: number | null; title: string }[] = lines.map((line) => ({ id: line.id, title: line.number && !line.title.startsWith(line.number) ? `${line.number} ${line.title}` : line.title }))
  if (milestones.some((m) => m.action_line_id === null || !lines.some((l) => l.id === m.action_line_id))) rows.push({ id: null, title: t('programme.noLine') })
  const known = new Set(lines.map((l) => l.id))
  const lineOf = (m: Milestone): number | null => (m.action_line_id !== null && known.has(m.action_line_id) ? m.action_line_id : null)
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col' }), 'programme.actionLine'),
    ...quarters.map((q) => h('th', { scope: 'col' }, q.replace('-', ' '))),
    undated ? tr(h('th', { scope: 'col' }), 'milestone.noDate') : null,
  )
  const body = rows
    .map((row) => {
      const mine = milestones.filter((m) => lineOf(m) === row.id)
      if (mine.length === 0) return null
      const cell = (q: string | null): HTMLElement => {
        const here = mine.filter((m) => quarterOf(m) === q)
        return h('td', {}, here.length ? h('ul', { class: 'timeline-cell' }, ...here.map(item)) : '')
      }
      return h('tr', { 'data-action-line': row.id === null ? 'none' : String(row.id) }, h('th', { scope: 'row' }, row.title), ...quarters.map(cell), undated ? cell(null) : null)
    })
    .filter((row): row is HTMLTableRowElement => row !== null)
  return h(
    'div',
    { class: 'table-wrap timeline-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'timeline-caption' },
    h('table', { class: 'table timeline', id: 'timeline' }, tr(h('caption', { id: 'timeline-caption' }), 'programme.timelineCaption'), h('thead', {}, head), h('tbody', {}, ...body)),
  )
}

function list(id: string, milestones: Milestone[]): HTMLElement {
  if (milestones.length === 0) return tr(h('p', { class: 'muted', id }), 'milestone.none')
  return h('ul', { class: 'milestone-list', id }, ...milestones.map(item))
}

export function programmeScreen(app: App, bodyId: number, query: URLSearchParams): Screen {
  let title = t('programme.title')
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let board: Dashboard
      let lines: ActionLine[]
      let bodyName: string
      let partyCodes: string[]
      try {
        const today = query.get('today') ?? undefined
        const [body, dash, actionLines] = await Promise.all([directory.getBody(bodyId), governance.dashboardOn(bodyId, today), governance.allActionLines(bodyId)])
        board = dash
        lines = actionLines
        bodyName = body.name
        partyCodes = [...new Set([...body.parties.map((p) => p.code), ...dash.by_party.map((p) => p.code)])].sort()
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'programme.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = `${t('programme.title')} — ${bodyName}`
      const filter = select([['', 'programme.allParties', true], ...partyCodes.map((code): [string, string] => [code, code])], { id: 'party-filter' })
      filter.value = query.get('party') ?? ''
      const holder = h('div', { id: 'programme-content', 'aria-live': 'polite' })
      const render = async (): Promise<void> => {
        const party = filter.value
        try {
          const milestones = await governance.milestonesFor(bodyId, party ? { party } : {})
          const ids = new Set(milestones.map((m) => m.id))
          const dueSoon = board.due_soon.filter((m) => ids.has(m.id))
          const late = board.late.filter((m) => ids.has(m.id))
          holder.replaceChildren(
            party ? tr(h('p', { class: 'hint', id: 'filter-state' }), 'programme.filtered', { party, count: milestones.length }) : tr(h('p', { class: 'hint', id: 'filter-state' }), 'programme.unfiltered', { count: milestones.length }),
            h(
              'div',
              { class: 'programme-lists' },
              section('due-soon-section', 'programme.dueSoon', list('due-soon', dueSoon)),
              section('late-section', 'programme.late', list('late', late)),
            ),
            section('timeline-section', 'programme.timeline', tr(h('p', { class: 'hint' }), 'programme.timelineHint'), timeline(lines, milestones)),
          )
        } catch (error) {
          holder.replaceChildren(h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        }
      }
      filter.addEventListener('change', () => {
        const url = new URL(location.href)
        if (filter.value) url.searchParams.set('party', filter.value)
        else url.searchParams.delete('party')
        history.replaceState(null, '', url.pathname + url.search)
        void render()
      })
      main.replaceChildren(
        h('p', { class: 'back' }, h('a', { href: `/groups/${bodyId}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: bodyName }))),
        tr(h('h1', {}), 'programme.heading', { name: bodyName }),
        tr(h('p', { class: 'lead' }), 'programme.today', { date: formatDay(board.today), days: board.due_soon_days }),
        h('div', { class: 'filter-bar' }, field('programme.partyFilter', filter)),
        holder,
      )
      await render()
    },
  }
}
