// "Besluitvraag indienen", /decision-requests/new?body=&from=&meeting=: a question put to a
// body (the deciding body), from another body where it comes from one, optionally on one of
// its meetings and supported by a draft's version, with a deadline. Put on a meeting, it is
// also on that meeting's agenda.
import { decisions, meetings } from '../../api'
import type { RequestInput } from '../../api/decisions'
import type { App } from '../../app'
import { formatDay, t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, loading } from '../../ui/widgets'
import { formErrors, formField } from '../programme/form'
import { timeOf, todayInAmsterdam } from '../meetings/month'
import { versionPicker, visibleBodies } from '../meetings/pickers'

export function requestFormScreen(app: App, query: URLSearchParams): Screen {
  return {
    title: () => t('request.newTitle'),
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      const bodies = await visibleBodies()
      const decidingId = Number(query.get('body')) || bodies[0]?.id || 0
      const title = formField('request.titleField', h('input', { type: 'text', id: 'request-title', autocomplete: 'off', required: true }))
      const question = formField('request.question', h('textarea', { id: 'request-question', rows: 4, required: true }))
      const options = formField('request.options', h('textarea', { id: 'request-options', rows: 3 }), 'request.optionsHint')
      const askedOf = formField('request.askedOf', h('input', { type: 'text', id: 'request-asked-of', autocomplete: 'off' }), 'request.askedOfHint')
      const bodySelect = h('select', { id: 'request-body' })
      const fromSelect = h('select', { id: 'request-from' })
      fromSelect.append(tr(h('option', { value: '' }), 'request.fromNone'))
      for (const body of bodies) {
        bodySelect.append(h('option', { value: String(body.id) }, body.name))
        fromSelect.append(h('option', { value: String(body.id) }, body.name))
      }
      bodySelect.value = String(decidingId)
      fromSelect.value = query.get('from') && query.get('from') !== String(decidingId) ? (query.get('from') ?? '') : ''
      const deciding = formField('request.deciding', bodySelect)
      const from = formField('request.from', fromSelect, 'request.fromHint')
      const meetingSelect = h('select', { id: 'request-meeting' })
      const meeting = formField('request.meeting', meetingSelect, 'request.meetingHint')
      const loadMeetings = async (preselect?: string): Promise<void> => {
        meetingSelect.replaceChildren(tr(h('option', { value: '' }), 'app.loading'))
        const list = await meetings.ofBody(Number(bodySelect.value)).catch(() => [])
        const today = todayInAmsterdam()
        const coming = list.filter((m) => m.status !== 'geannuleerd' && (m.starts.slice(0, 10) >= today || String(m.id) === preselect))
        meetingSelect.replaceChildren(tr(h('option', { value: '' }), 'request.noMeeting'), ...coming.map((m) => h('option', { value: String(m.id) }, `${formatDay(m.starts.slice(0, 10))} ${timeOf(m.starts)} — ${m.title}`)))
        if (preselect) meetingSelect.value = preselect
      }
      bodySelect.addEventListener('change', () => void loadMeetings())
      const version = versionPicker('request', query.get('from') ? Number(query.get('from')) : decidingId)
      const deadline = formField('request.deadline', h('input', { type: 'date', id: 'request-deadline' }))
      const errors = formErrors({ title, question, options, asked_of: askedOf, body: deciding, requesting_body_id: from, meeting_id: meeting, version_id: version.version, deadline })
      const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'request-submit' }), 'request.submit')
      const form = h(
        'form',
        { class: 'stack', novalidate: true, id: 'request-form' },
        errors.box,
        title.element,
        question.element,
        options.element,
        askedOf.element,
        h('div', { class: 'grid-form' }, deciding.element, from.element),
        meeting.element,
        h('fieldset', {}, tr(h('legend', {}), 'request.support'), version.element),
        deadline.element,
        h('div', { class: 'actions' }, submit),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        errors.clear()
        const titleText = title.control.value.trim()
        const questionText = question.control.value.trim()
        if (!titleText) return errors.at('title', t('pm.required'))
        if (!questionText) return errors.at('question', t('pm.required'))
        const optionList = options.control.value.split('\n').map((o) => o.trim()).filter(Boolean)
        if (optionList.length > 10) return errors.at('options', t('request.tooManyOptions'))
        if (version.draft.control.value && version.versionId() === undefined) return errors.at('version_id', t('agenda.pickVersionNeeded'))
        const input: RequestInput = { title: titleText, question: questionText }
        if (optionList.length) input.options = optionList
        if (askedOf.control.value.trim()) input.asked_of = askedOf.control.value.trim()
        if (fromSelect.value) input.requesting_body_id = Number(fromSelect.value)
        if (meetingSelect.value) input.meeting_id = Number(meetingSelect.value)
        const versionId = version.versionId()
        if (versionId !== undefined) input.version_id = versionId
        if (deadline.control.value) input.deadline = deadline.control.value
        void busy(submit, async () => {
          try {
            const created = await decisions.createRequest(Number(bodySelect.value), input)
            announce(t('request.created', { title: created.title }))
            app.navigate(`/decision-requests/${created.id}`)
          } catch (error) {
            errors.show(error)
          }
        })
      })
      const backPath = query.get('meeting') ? `/meetings/${query.get('meeting')}` : `/groups/${query.get('from') ?? decidingId}`
      main.replaceChildren(
        h('p', { class: 'back' }, tr(h('a', { href: backPath, 'data-link': true }), 'request.back')),
        tr(h('h1', {}), 'request.newTitle'),
        tr(h('p', { class: 'lead' }), 'request.newLead'),
        h('section', { class: 'card narrow', 'aria-labelledby': 'request-form-title' }, tr(h('h2', { id: 'request-form-title', class: 'visually-hidden' }), 'request.newTitle'), form),
      )
      await Promise.all([loadMeetings(query.get('meeting') ?? undefined), version.load()])
    },
  }
}
