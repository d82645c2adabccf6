// The programme dashboard, /groups/{id}/programme: filters by party, action line, status and
// period (kept in the URL query, so a filtered view can be shared), the milestones due in the
// next 30 days and the late ones, a timeline per action line by quarter (status as a text
// chip, never colour alone), every milestone with a compact status control, the action lines,
// and exports: the filtered table as CSV and a calendar feed (iCalendar).
import { directory, governance, inbox, programme, type ActionLine, type Dashboard, type Me, type Milestone } from '../api'
import type { ProgrammeFilter } from '../api/programme'
import type { App } from '../app'
import { formatDay, t, tr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { busy, loading, partyChip, section, select } from '../ui/widgets'
import { milestoneChip } from './governance'
import { formErrors, formField, present } from './programme/form'
import { STATUSES, statusText } from './programme/labels'
import { statusForm } from './programme/status-form'

/** "2025-Q2" of a milestone's (latest) due date, null without a date. */
export function quarterOf(m: Milestone): string | null {
  const date = m.due.latest ?? m.due.earliest
  if (!date || !/^\d{4}-\d{2}/.test(date)) return null
  const month = Number(date.slice(5, 7))
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`
}

const lineTitle = (line: ActionLine): string => (line.number && !line.title.startsWith(line.number) ? `${line.number} ${line.title}` : line.title)

function item(m: Milestone): HTMLElement {
  const owners = m.owners.filter((o) => o.role === 'lead')
  return h(
    'li',
    { 'data-milestone': String(m.id), class: 'timeline-item' },
    h('a', { class: 'milestone-title', href: `/milestones/${m.id}`, 'data-link': true }, m.title),
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
  const rows: { id: number | null; title: string }[] = lines.map((line) => ({ id: line.id, title: lineTitle(line) }))
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

/** Every milestone as a row, with a compact status control where the caller may change it. */
function milestoneTable(milestones: Milestone[], canChange: (m: Milestone) => boolean, onChanged: () => void): HTMLElement {
  if (milestones.length === 0) return tr(h('p', { class: 'muted', id: 'milestone-table' }), 'programme.noMilestones')
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col' }), 'pm.field.milestone'),
    tr(h('th', { scope: 'col' }), 'pm.field.due'),
    tr(h('th', { scope: 'col' }), 'pm.owners'),
    tr(h('th', { scope: 'col' }), 'pm.field.status'),
    tr(h('th', { scope: 'col' }), 'pm.status.change'),
  )
  const rows = milestones.map((m) =>
    h(
      'tr',
      { 'data-milestone': String(m.id) },
      h('th', { scope: 'row' }, h('a', { href: `/milestones/${m.id}`, 'data-link': true }, m.title), m.action_line ? h('span', { class: 'muted' }, ` · ${m.action_line}`) : null),
      h('td', { 'data-latest': m.due.latest ?? '' }, m.due.raw || t('milestone.noDate')),
      h('td', {}, ...m.owners.flatMap((o) => [partyChip(o.code), ' '])),
      h('td', { class: 'row-status' }, milestoneChip(m.status)),
      h('td', {}, canChange(m) ? statusForm(m, { compact: true, onChanged }) : ''),
    ),
  )
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'milestone-table-caption' },
    h('table', { class: 'table', id: 'milestone-table' }, tr(h('caption', { id: 'milestone-table-caption' }), 'pm.table.caption'), h('thead', {}, head), h('tbody', {}, ...rows)),
  )
}

function actionLineList(lines: ActionLine[], steer: boolean): HTMLElement {
  if (lines.length === 0) return tr(h('p', { class: 'muted', id: 'action-line-list' }), 'pm.line.none')
  return h(
    'ul',
    { class: 'doc-list', id: 'action-line-list' },
    ...lines.map((line) =>
      h(
        'li',
        { 'data-action-line': String(line.id) },
        h('span', { class: 'milestone-title' }, lineTitle(line)),
        ' ',
        ...line.owners.flatMap((o) => [partyChip(o.code), o.role === 'lead' ? tr(h('span', { class: 'muted' }), 'pm.owner.leadShort') : null, ' ']),
        steer ? h('a', { href: `/action-lines/${line.id}/edit`, 'data-link': true, 'aria-label': t('pm.line.editNamed', { title: lineTitle(line) }) }, t('pm.edit')) : null,
      ),
    ),
  )
}

/** The calendar export: a feed of the filtered party (for its own members) or a personal one. */
function calendarExport(me: Me, party: () => string): { button: HTMLElement; reveal: HTMLElement } {
  const reveal = h('div', { class: 'token-reveal', id: 'calendar-reveal', 'aria-live': 'polite' })
  const button = tr(h('button', { type: 'button', class: 'button-quiet', id: 'calendar-export' }), 'pm.export.calendar')
  button.addEventListener('click', () => {
    void busy(button, async () => {
      try {
        const code = party()
        const created = code && code === me.party ? await inbox.createPartyFeed(code) : await inbox.createFeed()
        const value = h('input', { type: 'text', readonly: true, id: 'calendar-url', class: 'token-value' })
        value.value = new URL(created.path, location.origin).toString()
        reveal.replaceChildren(
          tr(h('p', {}), code && code === me.party ? 'pm.export.partyFeed' : 'pm.export.personalFeed', { party: code }),
          h('div', { class: 'field' }, tr(h('label', { for: 'calendar-url' }), 'pm.export.feedUrl'), value),
        )
        value.focus()
        value.select()
        announce(t('pm.export.feedCreated'))
      } catch (error) {
        reveal.replaceChildren(h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
      }
    })
  })
  return { button, reveal }
}

export function programmeScreen(app: App, bodyId: number, query: URLSearchParams): Screen {
  let title = t('programme.title')
  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      let board: Dashboard
      let lines: ActionLine[]
      let bodyName: string
      let partyCodes: string[]
      let role: string | null
      const today = query.get('today') ?? undefined
      try {
        const [body, dash, actionLines, members] = await Promise.all([directory.getBody(bodyId), governance.dashboardOn(bodyId, today), governance.allActionLines(bodyId), directory.listMembers(bodyId)])
        board = dash
        lines = actionLines
        bodyName = body.name
        role = members.find((m) => m.person_id === me.id)?.role ?? null
        partyCodes = [...new Set([...body.parties.map((p) => p.code), ...dash.by_party.map((p) => p.code)])].sort()
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'programme.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = `${t('programme.title')} — ${bodyName}`
      const steer = role === 'chair' || role === 'secretariat'
      const canChange = (m: Milestone): boolean => steer || (role === 'member' && m.owners.some((o) => o.code === me.party))

      const partyFilter = select([['', 'programme.allParties', true], ...partyCodes.map((code): [string, string] => [code, code])], { id: 'party-filter' })
      partyFilter.value = query.get('party') ?? ''
      const lineFilter = select([['', 'pm.filter.allLines', true], ...lines.map((l): [string, string] => [String(l.id), lineTitle(l)])], { id: 'line-filter' })
      lineFilter.value = query.get('action_line') ?? ''
      const statusFilter = select([['', 'pm.filter.allStatuses', true], ...STATUSES.map((s): [string, string] => [s, statusText(s)])], { id: 'status-filter' })
      statusFilter.value = query.get('status') ?? ''
      const periodInput = h('input', { type: 'text', id: 'period-filter', autocomplete: 'off', spellcheck: 'false', value: query.get('period') ?? '' })
      periodInput.value = query.get('period') ?? ''
      const party = formField('programme.partyFilter', partyFilter)
      const line = formField('pm.filter.line', lineFilter)
      const status = formField('pm.filter.status', statusFilter)
      const period = formField('pm.filter.period', periodInput, 'pm.filter.periodHint')
      const errors = formErrors({ party, action_line: line, status, period })
      const apply = tr(h('button', { type: 'submit', class: 'button-primary' }), 'pm.filter.apply')
      const filters = h('form', { class: 'programme-filters', id: 'programme-filters', novalidate: true, role: 'search', 'aria-label': t('pm.filter.label') }, errors.box, party.element, line.element, status.element, period.element, h('div', { class: 'actions' }, apply))
      const csv = tr(h('a', { href: programme.csvUrl(bodyId, {}), id: 'csv-export', class: 'button-quiet', download: 'mijlpalen.csv' }), 'pm.export.csv')
      const calendar = calendarExport(me, () => partyFilter.value)
      const reportsLink = tr(h('a', { href: `/programme/reports?body=${bodyId}`, 'data-link': true, class: 'button-quiet', id: 'reports-link' }), 'reports.link')
      const exports = h('div', {}, h('div', { class: 'programme-exports', id: 'programme-exports' }, csv, calendar.button, reportsLink), calendar.reveal)

      const current = (): ProgrammeFilter => ({
        ...(partyFilter.value ? { party: partyFilter.value } : {}),
        ...(lineFilter.value ? { action_line: Number(lineFilter.value) } : {}),
        ...(statusFilter.value ? { status: statusFilter.value } : {}),
        ...(periodInput.value.trim() ? { period: periodInput.value.trim() } : {}),
      })
      const holder = h('div', { id: 'programme-content' })
      const render = async (): Promise<void> => {
        errors.clear()
        const filter = current()
        try {
          const [milestones, fresh] = await Promise.all([programme.milestones(bodyId, filter), governance.dashboardOn(bodyId, today)])
          board = fresh
          const ids = new Set(milestones.map((m) => m.id))
          const dueSoon = board.due_soon.filter((m) => ids.has(m.id))
          const late = board.late.filter((m) => ids.has(m.id))
          csv.setAttribute('href', programme.csvUrl(bodyId, filter))
          const filtered = Object.keys(filter).length > 0
          holder.replaceChildren(
            h(
              'p',
              { class: 'hint', id: 'filter-state' },
              filter.party ? tr(h('span', {}), 'programme.filtered', { party: filter.party, count: milestones.length }) : tr(h('span', {}), filtered ? 'pm.filter.state' : 'programme.unfiltered', { count: milestones.length }),
              filter.party && Object.keys(filter).length > 1 ? tr(h('span', {}), 'pm.filter.more') : null,
            ),
            h('div', { class: 'programme-lists' }, section('due-soon-section', 'programme.dueSoon', list('due-soon', dueSoon)), section('late-section', 'programme.late', list('late', late))),
            section('timeline-section', 'programme.timeline', tr(h('p', { class: 'hint' }), 'programme.timelineHint'), timeline(lines, milestones)),
            section('milestones-section', 'pm.table.title', milestoneTable(milestones, canChange, () => void render())),
          )
        } catch (error) {
          errors.show(error)
        }
      }
      const applyFilters = (): void => {
        const url = new URL(location.href)
        for (const key of ['party', 'action_line', 'status', 'period']) url.searchParams.delete(key)
        for (const [key, value] of filterEntries(current())) url.searchParams.set(key, value)
        history.replaceState(null, '', url.pathname + url.search)
        void render().then(() => announce(document.getElementById('filter-state')?.textContent ?? ''))
      }
      for (const control of [partyFilter, lineFilter, statusFilter]) control.addEventListener('change', applyFilters)
      filters.addEventListener('submit', (event) => {
        event.preventDefault()
        applyFilters()
      })
      main.replaceChildren(
        ...present(
        h('p', { class: 'back' }, h('a', { href: `/groups/${bodyId}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: bodyName }))),
        tr(h('h1', {}), 'programme.heading', { name: bodyName }),
        tr(h('p', { class: 'lead' }), 'programme.today', { date: formatDay(board.today), days: board.due_soon_days }),
        steer
          ? h(
              'p',
              { class: 'actions section-links', id: 'programme-create' },
              tr(h('a', { href: `/groups/${bodyId}/milestones/new`, 'data-link': true, id: 'new-milestone' }), 'pm.ms.newTitle'),
              ' · ',
              tr(h('a', { href: `/groups/${bodyId}/action-lines/new`, 'data-link': true, id: 'new-action-line' }), 'pm.line.newTitle'),
              ' · ',
              tr(h('a', { href: `/groups/${bodyId}/import`, 'data-link': true }), 'import.open'),
            )
          : null,
        filters,
        exports,
        holder,
        section('action-lines-section', 'pm.line.listTitle', actionLineList(lines, steer)),
        ),
      )
      await render()
    },
  }
}

function filterEntries(filter: ProgrammeFilter): [string, string][] {
  return Object.entries(filter).map(([key, value]) => [key, String(value)])
}
