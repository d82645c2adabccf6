// A body's meetings on its screen: the jaarplanning (the meetings of a year, in a table), for
// its chair and secretariat "Vergadering plannen" and "Besluitvraag indienen", the body's
// open decision requests and the link to its decision register.
import { decisions, meetings } from '../../api'
import type { DecisionRequestSummary } from '../../api/decisions'
import type { Meeting, MeetingSeries } from '../../api/meetings'
import type { App } from '../../app'
import { formatDay, t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { field, section } from '../../ui/widgets'
import { kindText, meetingLink, requestChip } from './labels'
import { meetingForm } from './meeting-form'
import { timeOf, todayInAmsterdam } from './month'

function yearTable(items: Meeting[], year: number): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted', id: 'year-plan' }), 'bodyMeetings.none', { year })
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col' }), 'bodyMeetings.when'),
    tr(h('th', { scope: 'col' }), 'bodyMeetings.meeting'),
    tr(h('th', { scope: 'col' }), 'bodyMeetings.kind'),
    tr(h('th', { scope: 'col' }), 'bodyMeetings.place'),
  )
  const rows = items.map((m) =>
    h(
      'tr',
      { 'data-meeting': String(m.id) },
      h('td', {}, `${formatDay(m.starts.slice(0, 10))} ${timeOf(m.starts)}–${timeOf(m.ends)}`),
      h('th', { scope: 'row' }, meetingLink(m, false), m.series_name ? h('span', { class: 'muted' }, ` · ${m.series_name}`) : null),
      h('td', {}, kindText(m.kind)),
      h('td', {}, m.place ?? ''),
    ),
  )
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'year-plan' }, tr(h('caption', {}), 'bodyMeetings.caption', { year }), h('thead', {}, head), h('tbody', {}, ...rows)))
}

function requestList(items: DecisionRequestSummary[]): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted', id: 'body-requests' }), 'bodyMeetings.noRequests')
  return h(
    'ul',
    { class: 'doc-list', id: 'body-requests' },
    ...items.map((r) =>
      h(
        'li',
        { 'data-request': String(r.id) },
        h('a', { href: `/decision-requests/${r.id}`, 'data-link': true }, r.title),
        ' ',
        requestChip(r.status),
        r.deadline ? tr(h('span', { class: 'muted' }), 'request.deadlineShort', { date: formatDay(r.deadline) }) : null,
        r.requesting_body_name ? tr(h('span', { class: 'muted' }), 'request.fromShort', { name: r.requesting_body_name }) : null,
      ),
    ),
  )
}

export function meetingsSection(app: App, bodyId: number, steer: boolean): HTMLElement {
  const today = todayInAmsterdam()
  const thisYear = Number(today.slice(0, 4))
  const yearSelect = h('select', { id: 'year-plan-year' })
  for (let y = thisYear - 2; y <= thisYear + 2; y += 1) yearSelect.append(h('option', { value: String(y) }, String(y)))
  yearSelect.value = String(thisYear)
  const holder = h('div', { id: 'year-plan-holder' })
  const requests = h('div', {})
  const load = async (): Promise<void> => {
    const year = Number(yearSelect.value)
    try {
      holder.replaceChildren(yearTable(await meetings.ofBody(bodyId, year), year))
    } catch (error) {
      holder.replaceChildren(h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
    }
  }
  yearSelect.addEventListener('change', () => void load())
  const links = h(
    'p',
    { class: 'actions section-links' },
    tr(h('a', { href: `/calendar?body=${bodyId}`, 'data-link': true, id: 'body-calendar-link' }), 'bodyMeetings.calendar'),
    ' · ',
    tr(h('a', { href: `/groups/${bodyId}/decisions`, 'data-link': true, id: 'body-register-link' }), 'bodyMeetings.register'),
    steer ? ' · ' : null,
    steer ? tr(h('a', { href: `/decision-requests/new?body=${bodyId}&from=${bodyId}`, 'data-link': true, id: 'new-request-link' }), 'request.new') : null,
  )
  const planner = steer ? h('details', { class: 'create-draft', id: 'plan-meeting' }, tr(h('summary', {}), 'bodyMeetings.plan'), h('p', {}, '…')) : null
  if (planner) {
    let loaded = false
    planner.addEventListener('toggle', () => {
      if (!planner.open || loaded) return
      loaded = true
      void meetings
        .series(bodyId)
        .catch(() => [] as MeetingSeries[])
        .then((series) => {
          const form = meetingForm({
            id: 'plan-meeting-form',
            bodyId,
            series,
            submit: 'meetingForm.create',
            done: (meeting) => {
              announce(t('meetingForm.created', { title: meeting.title }))
              app.navigate(`/meetings/${meeting.id}`)
            },
          })
          planner.replaceChildren(tr(h('summary', {}), 'bodyMeetings.plan'), form)
          form.querySelector<HTMLElement>('input')?.focus()
        })
    })
  }
  void load()
  void decisions
    .requestsOf(bodyId)
    .then((items) => requests.replaceChildren(tr(h('h3', {}), 'bodyMeetings.requests'), requestList(items.filter((r) => r.status === 'open' || r.status === 'aangehouden'))))
    .catch(() => requests.replaceChildren())
  return section('body-meetings', 'bodyMeetings.title', links, field('bodyMeetings.year', yearSelect), holder, planner, requests)
}
