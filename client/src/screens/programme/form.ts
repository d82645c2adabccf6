// Form parts of the programme screens: labelled fields that show the server's validation error
// at the field (aria-invalid, aria-describedby), the owner parties with their lead, and the
// due-date field that shows, while it is typed, how the server reads it.
import { ApiError, programme } from '../../api'
import type { Due, OwnerInput } from '../../api/programme'
import { t, tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'
import { messageBox } from '../../ui/widgets'
import { windowText } from './labels'
import './programme.css'

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement

let counter = 0

export interface FormField {
  element: HTMLElement
  control: Control
  showError(text: string): void
  clearError(): void
}

/** A labelled field with a hint (optional) and a hidden error line, both linked to the control. */
export function formField(label: MessageKey, control: Control, hint?: MessageKey, ...extra: (Node | null)[]): FormField {
  if (!control.id) control.id = `pm-field-${++counter}`
  const hintEl = hint ? tr(h('p', { class: 'hint', id: `${control.id}-hint` }), hint) : null
  const error = h('p', { class: 'field-error', id: `${control.id}-error` })
  error.hidden = true
  const describe = (withError: boolean): void => {
    const ids = [withError ? error.id : null, hintEl?.id ?? null, ...extra.map((e) => (e instanceof HTMLElement && e.id ? e.id : null))].filter((id): id is string => id !== null)
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '))
    else control.removeAttribute('aria-describedby')
  }
  describe(false)
  return {
    element: h('div', { class: 'field' }, tr(h('label', { for: control.id }), label), hintEl, error, control, ...extra),
    control,
    showError(text) {
      error.textContent = text
      error.hidden = false
      control.setAttribute('aria-invalid', 'true')
      describe(true)
    },
    clearError() {
      error.hidden = true
      error.textContent = ''
      control.removeAttribute('aria-invalid')
      describe(false)
    },
  }
}

/** The errors of one form: the server's `field: message` lands at that field, anything else in the box. */
export function formErrors(fields: Record<string, FormField | { showError(text: string): void; clearError(): void; focus(): void }>): {
  box: HTMLElement
  clear(): void
  show(error: unknown): void
  at(name: string, text: string): void
} {
  const box = messageBox()
  const focus = (name: string): void => {
    const target = fields[name]
    if (!target) return
    if ('control' in target) target.control.focus()
    else target.focus()
  }
  return {
    box: box.element,
    clear() {
      box.clear()
      for (const f of Object.values(fields)) f.clearError()
    },
    show(error) {
      if (error instanceof ApiError && error.status === 422) {
        const match = /^([a-z_]+): (.*)$/s.exec(error.message)
        const name = match?.[1]
        if (match && name && fields[name]) {
          fields[name].showError(t('pm.fieldError', { message: match[2] ?? '' }))
          box.text('pm.checkFields')
          focus(name)
          return
        }
      }
      box.error(error)
    },
    at(name, text) {
      fields[name]?.showError(text)
      box.text('pm.checkFields')
      focus(name)
    },
  }
}

/** The owner parties: per party of the body "not", "lead" or "contributor". */
export function ownersFieldset(prefix: string, parties: { code: string; name?: string }[], current: OwnerInput[]): {
  element: HTMLElement
  read(): OwnerInput[]
  showError(text: string): void
  clearError(): void
  focus(): void
} {
  const error = h('p', { class: 'field-error', id: `${prefix}-owners-error` })
  error.hidden = true
  const selects = parties.map((party) => {
    const select = h('select', { id: `${prefix}-owner-${party.code}`, 'data-party': party.code })
    for (const [value, key] of [['', 'pm.owner.none'], ['lead', 'pm.owner.lead'], ['contributor', 'pm.owner.contributor']] as const) {
      select.append(tr(h('option', { value }), key))
    }
    select.value = current.find((o) => o.party === party.code)?.role ?? ''
    return { party, select }
  })
  const legend = tr(h('legend', {}), 'pm.owners')
  const element = h(
    'fieldset',
    { class: 'owners-fieldset', id: `${prefix}-owners`, 'aria-describedby': `${prefix}-owners-hint` },
    legend,
    tr(h('p', { class: 'hint', id: `${prefix}-owners-hint` }), 'pm.ownersHint'),
    error,
    h(
      'div',
      { class: 'grid-form' },
      ...selects.map(({ party, select }) => h('div', { class: 'field' }, h('label', { for: select.id }, party.name ? `${party.code} — ${party.name}` : party.code), select)),
    ),
  )
  return {
    element,
    read: () => selects.filter(({ select }) => select.value).map(({ party, select }) => ({ party: party.code, role: select.value as OwnerInput['role'] })),
    showError(text) {
      error.textContent = text
      error.hidden = false
      element.setAttribute('aria-describedby', `${error.id} ${prefix}-owners-hint`)
      for (const { select } of selects) select.setAttribute('aria-invalid', 'true')
    },
    clearError() {
      error.hidden = true
      element.setAttribute('aria-describedby', `${prefix}-owners-hint`)
      for (const { select } of selects) select.removeAttribute('aria-invalid')
    },
    focus() {
      selects[0]?.select.focus()
    },
  }
}

/** A due-date field as parties write it, with its reading by the server shown live. */
export function dueField(id: string, label: MessageKey, value = ''): FormField & { parsed(): Due | null } {
  const input = h('input', { type: 'text', id, autocomplete: 'off', spellcheck: 'false', value })
  input.value = value
  const preview = h('p', { class: 'hint due-preview', id: `${id}-preview`, 'aria-live': 'polite' })
  const field = formField(label, input, 'pm.dueHint', preview)
  let last: Due | null = null
  let timer: number | undefined
  let pending: AbortController | null = null
  const update = (): void => {
    const text = input.value.trim()
    pending?.abort()
    if (!text) {
      last = null
      preview.textContent = ''
      return
    }
    const controller = new AbortController()
    pending = controller
    programme
      .parseDue(text, controller.signal)
      .then((due) => {
        if (controller.signal.aborted) return
        last = due
        preview.dataset.precision = due.precision
        preview.dataset.latest = due.latest ?? ''
        preview.textContent = t('pm.dueReads', { reading: windowText(due) })
      })
      .catch(() => {
        if (!controller.signal.aborted) preview.textContent = ''
      })
  }
  input.addEventListener('input', () => {
    window.clearTimeout(timer)
    timer = window.setTimeout(update, 250)
  })
  if (value) update()
  return { ...field, parsed: () => last }
}

/** The nodes that are there (for a screen whose parts depend on the caller's role). */
export function present(...nodes: (Node | null | false)[]): Node[] {
  return nodes.filter((n): n is Node => n instanceof Node)
}
