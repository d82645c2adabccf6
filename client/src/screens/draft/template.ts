// The assignment (template) fields of a draft: goal, terms of reference, preconditions,
// composition, timeline, milestones, direction. Editable by the chair and the secretariat
// while the draft is a concept.
import { drafts, TEMPLATE_FIELDS, type Draft, type Template, type TemplateField } from '../../api'
import { t, tr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox } from '../../ui/widgets'

export const TEMPLATE_KEYS: Record<TemplateField, MessageKey> = {
  goal: 'template.goal',
  terms_of_reference: 'template.terms_of_reference',
  preconditions: 'template.preconditions',
  composition: 'template.composition',
  timeline: 'template.timeline',
  milestones: 'template.milestones',
  direction: 'template.direction',
}

/** Textareas for the template fields (the create-draft form uses them too). */
export function templateInputs(prefix: string, template: Template = {}): { fields: HTMLElement[]; read(): Template } {
  const inputs = TEMPLATE_FIELDS.map((name) => {
    const input = h('textarea', { id: `${prefix}-${name}`, name, rows: 2 })
    input.value = template[name] ?? ''
    return [name, input] as const
  })
  return {
    fields: inputs.map(([name, input]) => h('div', { class: 'field' }, tr(h('label', { for: input.id }), TEMPLATE_KEYS[name]), input)),
    read: () => Object.fromEntries(inputs.map(([name, input]) => [name, input.value.trim()])) as Template,
  }
}

export function templatePanel(canEdit: (draft: Draft) => boolean, onSaved: (draft: Draft) => void): { element: HTMLElement; update(draft: Draft): void } {
  const body = h('div', {})
  const element = h(
    'section',
    { class: 'panel template-panel', 'aria-labelledby': 'template-title', id: 'template' },
    tr(h('h2', { id: 'template-title' }), 'template.title'),
    h('details', {}, tr(h('summary', {}), 'template.show'), body),
  )
  const update = (draft: Draft): void => {
    const list = h('dl', { class: 'template-list' })
    for (const name of TEMPLATE_FIELDS) {
      list.append(tr(h('dt', {}), TEMPLATE_KEYS[name]), h('dd', {}, draft.template[name] || '—'))
    }
    body.replaceChildren(list)
    if (!canEdit(draft)) return
    const edit = tr(h('button', { type: 'button', class: 'button-quiet' }), 'template.edit')
    body.append(edit)
    edit.addEventListener('click', () => {
      const inputs = templateInputs('tpl', draft.template)
      const errors = messageBox()
      const save = tr(h('button', { type: 'submit', class: 'button-primary' }), 'common.save')
      const cancel = tr(h('button', { type: 'button', class: 'button-quiet' }), 'common.cancel')
      const form = h('form', { novalidate: true }, errors.element, ...inputs.fields, h('div', { class: 'actions' }, save, cancel))
      cancel.addEventListener('click', () => update(draft))
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        void busy(save, async () => {
          try {
            const saved = await drafts.updateDraft(draft.id, { template: inputs.read() })
            announce(t('template.saved'))
            onSaved(saved)
          } catch (error) {
            errors.error(error)
          }
        })
      })
      body.replaceChildren(form)
      form.querySelector('textarea')?.focus()
    })
  }
  return { element, update }
}
