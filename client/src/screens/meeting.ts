// One meeting, /meetings/{id}: when and where, its status (a cancelled meeting says so), for
// the chair and secretariat editing and cancelling; the agenda; "Stukken versturen" and the
// sent packs; the minutes ("Verslag aanmaken", then a link to that draft); the meeting's
// decision requests.
import { meetings } from '../api'
import type { MeetingDetail, MeetingPack, MeetingSeries } from '../api/meetings'
import type { App } from '../app'
import { formatDay, t, tr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { busy, dateText, loading, messageBox, section } from '../ui/widgets'
import { present } from './programme/form'
import { agendaPart } from './meetings/agenda'
import { kindText, meetingChip, requestChip, whenText } from './meetings/labels'
import { meetingForm } from './meetings/meeting-form'
import { packPart } from './meetings/pack'

function facts(detail: MeetingDetail): HTMLElement {
  return h(
    'dl',
    { class: 'milestone-facts', id: 'meeting-facts' },
    tr(h('dt', {}), 'meeting.when'),
    h('dd', { id: 'meeting-when' }, whenText(detail)),
    tr(h('dt', {}), 'meeting.body'),
    h('dd', {}, h('a', { href: `/groups/${detail.body_id}`, 'data-link': true }, detail.body_name)),
    tr(h('dt', {}), 'meeting.kind'),
    h('dd', {}, kindText(detail.kind)),
    tr(h('dt', {}), 'meeting.series'),
    h('dd', {}, detail.series_name ?? '—'),
    tr(h('dt', {}), 'meeting.place'),
    h('dd', { id: 'meeting-place' }, detail.place || '—'),
    tr(h('dt', {}), 'meeting.online'),
    h('dd', {}, detail.online_url ? h('a', { href: detail.online_url, rel: 'noopener noreferrer', target: '_blank' }, detail.online_url) : '—'),
    tr(h('dt', {}), 'meeting.status'),
    h('dd', { id: 'meeting-status' }, meetingChip(detail.status)),
    tr(h('dt', {}), 'meeting.lastPack'),
    h('dd', {}, detail.last_pack_at ? dateText(detail.last_pack_at) : t('meeting.noPack')),
  )
}

function cancelForm(detail: MeetingDetail, reload: (focusId?: string) => Promise<void>): HTMLElement {
  const errors = messageBox()
  const reason = h('textarea', { id: 'cancel-reason', rows: 2 })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'cancel-meeting' }), 'meeting.cancel')
  const form = h('form', { class: 'stack', novalidate: true }, errors.element, tr(h('p', { class: 'hint' }), 'meeting.cancelHint'), h('div', { class: 'field' }, tr(h('label', { for: reason.id }), 'meeting.cancelReason'), reason), h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void busy(submit, async () => {
      try {
        await meetings.cancel(detail.id, reason.value.trim() || undefined)
        announce(t('meeting.cancelled'))
        await reload('meeting-title')
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return h('details', { id: 'cancel-details', class: 'meeting-details' }, tr(h('summary', {}), 'meeting.cancelTitle'), form)
}

function minutesPart(detail: MeetingDetail, steer: boolean, reload: (focusId?: string) => Promise<void>): HTMLElement {
  if (detail.minutes_draft_id !== null) {
    return h('p', {}, tr(h('a', { href: `/drafts/${detail.minutes_draft_id}`, 'data-link': true, id: 'minutes-link' }), 'minutes.open'))
  }
  if (!steer) return tr(h('p', { class: 'muted' }), 'minutes.none')
  const errors = messageBox()
  const button = tr(h('button', { type: 'button', class: 'button-quiet', id: 'create-minutes' }), 'minutes.create')
  button.addEventListener('click', () => {
    void busy(button, async () => {
      try {
        await meetings.createMinutes(detail.id)
        announce(t('minutes.created'))
        await reload('minutes-link')
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return h('div', {}, errors.element, tr(h('p', { class: 'hint' }), 'minutes.hint'), button)
}

function requestsPart(detail: MeetingDetail, steer: boolean): HTMLElement[] {
  const list = detail.decision_requests.length
    ? h(
        'ul',
        { class: 'doc-list', id: 'meeting-requests' },
        ...detail.decision_requests.map((r) =>
          h('li', { 'data-request': String(r.id) }, h('a', { href: `/decision-requests/${r.id}`, 'data-link': true }, r.title), ' ', requestChip(r.status), r.deadline ? tr(h('span', { class: 'muted' }), 'request.deadlineShort', { date: formatDay(r.deadline) }) : null),
        ),
      )
    : tr(h('p', { class: 'muted', id: 'meeting-requests' }), 'meeting.noRequests')
  const create = steer && detail.status !== 'geannuleerd' ? h('p', {}, tr(h('a', { href: `/decision-requests/new?body=${detail.body_id}&meeting=${detail.id}`, 'data-link': true, id: 'meeting-new-request' }), 'request.new')) : null
  return present(list, create) as HTMLElement[]
}

export function meetingScreen(app: App, id: number): Screen {
  let title = t('meeting.title')
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let series: MeetingSeries[] | null = null
      const flash: { sent: MeetingPack | null } = { sent: null }
      const render = async (focusId?: string): Promise<void> => {
        let detail: MeetingDetail
        try {
          detail = await meetings.get(id)
          if (series === null) series = detail.can_steer ? await meetings.series(detail.body_id).catch(() => []) : []
        } catch (error) {
          main.replaceChildren(tr(h('h1', {}), 'meeting.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
          return
        }
        detail.agenda = [...detail.agenda].sort((a, b) => a.position - b.position)
        title = `${detail.title} — ${t('meeting.title')}`
        document.title = `${title} — ${t('app.name')}`
        const steer = detail.can_steer
        const cancelled = detail.status === 'geannuleerd'
        const reload = async (target?: string): Promise<void> => {
          await render(target)
        }
        const edit =
          steer && !cancelled
            ? h(
                'details',
                { id: 'edit-details', class: 'meeting-details' },
                tr(h('summary', {}), 'meeting.edit'),
                meetingForm({
                  id: 'edit-meeting-form',
                  bodyId: detail.body_id,
                  series: series ?? [],
                  existing: detail,
                  submit: 'meetingForm.save',
                  done: async () => {
                    announce(t('meetingForm.saved'))
                    await reload('meeting-title')
                  },
                }),
              )
            : null
        main.replaceChildren(
          ...present(
            h('p', { class: 'back' }, h('a', { href: `/groups/${detail.body_id}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: detail.body_name })), ' · ', tr(h('a', { href: '/calendar', 'data-link': true }), 'meeting.toCalendar')),
            h('h1', { id: 'meeting-title' }, cancelled ? h('s', {}, detail.title) : detail.title, cancelled ? h('span', {}, ' ', meetingChip(detail.status)) : null),
            h('p', { class: 'lead' }, whenText(detail), ' · ', detail.body_name),
            cancelled ? tr(h('p', { class: 'alert alert-error', id: 'meeting-cancelled' }), 'meeting.isCancelled') : null,
            section('meeting-about', 'meeting.about', facts(detail), edit, steer && !cancelled ? cancelForm(detail, reload) : null),
            section('meeting-agenda', 'agenda.title', ...agendaPart(detail, steer, reload)),
            section('meeting-pack', 'pack.title', ...packPart(detail, steer, reload, flash)),
            section('meeting-requests-section', 'meeting.requests', ...requestsPart(detail, steer)),
            section('meeting-minutes', 'minutes.title', minutesPart(detail, steer, reload)),
          ),
        )
        if (focusId) {
          const target = document.getElementById(focusId)
          if (target && !target.matches('a, button, input, select, textarea')) target.setAttribute('tabindex', '-1')
          target?.focus()
        }
      }
      await render()
    },
  }
}
