// The draft's consultations (#consultations): each with its status and closing date, linking
// to its screen; for the chair and the secretariat the form for a new consultation on a version.
import { consent, type Version } from '../../api'
import type { App } from '../../app'
import type { Consultation } from '../../api/consent'
import { formatDay, t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { fieldError, invalidField, invalidMessage } from '../../ui/field-error'
import { busy, messageBox, section } from '../../ui/widgets'
import { consultationChip } from './labels'
import { dutchToday } from './rules'

export function consultationsPanel(
  app: App,
  draftId: number,
  isLead: () => boolean,
  versions: () => Promise<Version[]>,
): { element: HTMLElement; refresh(): Promise<void> } {
  const errors = messageBox()
  const list = h('ul', { class: 'consultation-list', id: 'consultation-list' })
  const formSlot = h('div', {})

  const render = (items: Consultation[]): void => {
    if (items.length === 0) {
      list.replaceChildren(tr(h('li', { class: 'muted' }), 'consultation.none'))
      return
    }
    list.replaceChildren(
      ...items.map((c) =>
        h(
          'li',
          { 'data-consultation': String(c.id) },
          h('a', { href: `/consultaties/${c.id}`, 'data-link': true }, c.title),
          ' ',
          consultationChip(c.status),
          ' ',
          tr(h('span', { class: 'muted' }), 'consultation.listMeta', { version: c.version_name, date: formatDay(c.closes_on), count: c.responses_count }),
        ),
      ),
    )
  }

  const newForm = async (): Promise<HTMLElement | null> => {
    if (!isLead()) return null
    let options: Version[] = []
    try {
      options = await versions()
    } catch {
      options = []
    }
    const box = messageBox()
    const version = h('select', { id: 'consultation-version' })
    for (const v of options) version.append(h('option', { value: String(v.id) }, v.name))
    const title = h('input', { type: 'text', id: 'consultation-title', maxlength: 300, autocomplete: 'off', required: true })
    const question = h('textarea', { id: 'consultation-question', rows: 3, maxlength: 4000 })
    const opensOn = h('input', { type: 'date', id: 'consultation-opens', min: dutchToday() })
    const closesOn = h('input', { type: 'date', id: 'consultation-closes', min: dutchToday(), required: true })
    const opensHint = tr(h('p', { class: 'hint', id: 'consultation-opens-hint' }), 'consultation.opensHint')
    opensOn.setAttribute('aria-describedby', opensHint.id)
    const errorsOf = { title: fieldError(title), closes_on: fieldError(closesOn), opens_on: fieldError(opensOn), question: fieldError(question) }
    const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'consultation-create' }), 'consultation.create')
    const form = h(
      'form',
      { class: 'stack', novalidate: true, id: 'consultation-form' },
      box.element,
      options.length
        ? h('div', { class: 'field' }, tr(h('label', { for: version.id }), 'consultation.version'), version)
        : tr(h('p', { class: 'hint' }), 'consent.noVersions'),
      h('div', { class: 'field' }, tr(h('label', { for: title.id }), 'consultation.title'), title, errorsOf.title.element),
      h('div', { class: 'field' }, tr(h('label', { for: question.id }), 'consultation.question'), question, errorsOf.question.element),
      h('div', { class: 'field' }, tr(h('label', { for: opensOn.id }), 'consultation.opensOn'), opensHint, opensOn, errorsOf.opens_on.element),
      h('div', { class: 'field' }, tr(h('label', { for: closesOn.id }), 'consultation.closesOn'), closesOn, errorsOf.closes_on.element),
      h('div', { class: 'actions' }, submit),
    )
    submit.disabled = options.length === 0
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      box.clear()
      Object.values(errorsOf).forEach((e) => e.clear())
      if (!title.value.trim()) {
        errorsOf.title.showKey('error.required', { field: t('consultation.title') })
        title.focus()
        return
      }
      if (!closesOn.value) {
        errorsOf.closes_on.showKey('error.required', { field: t('consultation.closesOn') })
        closesOn.focus()
        return
      }
      void busy(submit, async () => {
        try {
          const created = await consent.createConsultation(draftId, {
            version_id: Number(version.value),
            title: title.value.trim(),
            closes_on: closesOn.value,
            ...(question.value.trim() ? { question: question.value.trim() } : {}),
            ...(opensOn.value ? { opens_on: opensOn.value } : {}),
          })
          announce(t('consultation.created', { title: created.title }))
          app.navigate(`/consultaties/${created.id}`)
        } catch (error) {
          const name = invalidField(error)
          const target = name ? errorsOf[name as keyof typeof errorsOf] : undefined
          if (target) target.show(invalidMessage(error))
          else box.error(error)
        }
      })
    })
    return h('details', { class: 'consultation-new', id: 'consultation-new' }, tr(h('summary', {}), 'consultation.new'), form)
  }

  const refresh = async (): Promise<void> => {
    try {
      render(await consent.consultations(draftId))
      errors.clear()
    } catch (error) {
      errors.error(error)
    }
    const form = await newForm()
    formSlot.replaceChildren(...(form ? [form] : []))
  }

  const element = section('consultations', 'consultation.sectionTitle', tr(h('p', { class: 'hint' }), 'consultation.sectionIntro'), errors.element, list, formSlot)
  return { element, refresh }
}
