// Scheduling a meeting ("Vergadering plannen") and editing one: title, kind, series, date,
// start and end time, place, online link, tentative. The server's 422 lands at its field.
import { meetings } from '../../api'
import { MEETING_KINDS, type MeetingDetail, type MeetingInput, type MeetingSeries } from '../../api/meetings'
import { t, tr } from '../../i18n'
import { h } from '../../ui/dom'
import { busy, checkboxField } from '../../ui/widgets'
import { formErrors, formField } from '../programme/form'
import { kindText } from './labels'

export function meetingForm(opts: {
  id: string
  bodyId: number
  series: MeetingSeries[]
  existing?: MeetingDetail
  submit: 'meetingForm.create' | 'meetingForm.save'
  done: (meeting: MeetingDetail) => void | Promise<void>
}): HTMLFormElement {
  const { id, existing } = opts
  const title = formField('meetingForm.title', h('input', { type: 'text', id: `${id}-title`, autocomplete: 'off', required: true }))
  title.control.value = existing?.title ?? ''
  const kindSelect = h('select', { id: `${id}-kind` })
  for (const kind of MEETING_KINDS) kindSelect.append(h('option', { value: kind }, kindText(kind)))
  kindSelect.value = existing?.kind ?? 'plenary'
  const kind = formField('meetingForm.kind', kindSelect)
  const seriesSelect = h('select', { id: `${id}-series` })
  seriesSelect.append(tr(h('option', { value: '' }), 'meetingForm.noSeries'))
  for (const s of opts.series) seriesSelect.append(h('option', { value: String(s.id) }, s.name))
  seriesSelect.value = existing?.series_id ? String(existing.series_id) : ''
  seriesSelect.addEventListener('change', () => {
    const picked = opts.series.find((s) => String(s.id) === seriesSelect.value)
    if (picked && MEETING_KINDS.includes(picked.kind as (typeof MEETING_KINDS)[number])) kindSelect.value = picked.kind
  })
  const series = formField('meetingForm.series', seriesSelect)
  const date = formField('meetingForm.date', h('input', { type: 'date', id: `${id}-date`, required: true }))
  date.control.value = existing?.starts.slice(0, 10) ?? ''
  const start = formField('meetingForm.start', h('input', { type: 'time', id: `${id}-start`, required: true }))
  start.control.value = existing?.starts.slice(11, 16) ?? '10:00'
  const end = formField('meetingForm.end', h('input', { type: 'time', id: `${id}-end`, required: true }))
  end.control.value = existing?.ends.slice(11, 16) ?? '12:00'
  const place = formField('meetingForm.place', h('input', { type: 'text', id: `${id}-place`, autocomplete: 'off' }))
  place.control.value = existing?.place ?? ''
  const online = formField('meetingForm.online', h('input', { type: 'url', id: `${id}-online`, autocomplete: 'off', inputmode: 'url' }), 'meetingForm.onlineHint')
  online.control.value = existing?.online_url ?? ''
  const tentative = h('input', { id: `${id}-tentative` })
  const tentativeField = checkboxField('meetingForm.tentative', tentative)
  tentative.checked = existing?.status === 'voorlopig'
  const errors = formErrors({ title, kind, series_id: series, starts: start, ends: end, place, online_url: online, date })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), opts.submit)
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id },
    errors.box,
    title.element,
    h('div', { class: 'grid-form' }, kind.element, series.element),
    h('div', { class: 'grid-form' }, date.element, start.element, end.element),
    place.element,
    online.element,
    existing?.status === 'geannuleerd' ? null : tentativeField,
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    const titleText = title.control.value.trim()
    const day = date.control.value
    if (!titleText) return errors.at('title', t('pm.required'))
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return errors.at('date', t('meetingForm.dateNeeded'))
    if (!/^\d{2}:\d{2}$/.test(start.control.value)) return errors.at('starts', t('meetingForm.timeNeeded'))
    if (!/^\d{2}:\d{2}$/.test(end.control.value)) return errors.at('ends', t('meetingForm.timeNeeded'))
    if (end.control.value <= start.control.value) return errors.at('ends', t('meetingForm.endAfterStart'))
    const url = online.control.value.trim()
    if (url && !/^https:\/\//i.test(url)) return errors.at('online_url', t('meetingForm.httpsOnly'))
    const input: MeetingInput = {
      title: titleText,
      kind: kindSelect.value,
      series_id: seriesSelect.value ? Number(seriesSelect.value) : null,
      starts: `${day}T${start.control.value}`,
      ends: `${day}T${end.control.value}`,
      place: place.control.value.trim(),
      online_url: url,
      ...(existing?.status === 'geannuleerd' ? {} : { status: tentative.checked ? 'voorlopig' : 'gepland' }),
    }
    if (!existing) {
      if (input.series_id === null) delete input.series_id
      if (!input.place) delete input.place
      if (!input.online_url) delete input.online_url
    }
    void busy(submit, async () => {
      try {
        const saved = existing ? await meetings.update(existing.id, input) : await meetings.create(opts.bodyId, input)
        await opts.done(saved)
      } catch (error) {
        errors.show(error)
      }
    })
  })
  return form
}
