// A message under one form control: `aria-invalid` on the control and the message linked with
// `aria-describedby` (next to the control's hint, if it has one), so a screen reader reads the
// error when the control gets focus.
import { tr, type MessageKey, type Params } from '../../i18n'
import { h } from '../../ui/dom'

export interface FieldError {
  /** Shows `key` at the control (or a text as it is, for a message from the server). */
  show(key: MessageKey, params?: Params): void
  showText(text: string): void
  clear(): void
  readonly shown: boolean
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement

/** Attaches an (initially hidden) error message right before `control` in its field. */
export function fieldError(control: Control): FieldError {
  if (!control.id) throw new Error('fieldError needs a control with an id')
  const message = h('p', { class: 'field-error', id: `${control.id}-error` })
  message.hidden = true
  control.before(message)
  const hints = (): string[] => (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && id !== message.id)
  const link = (on: boolean): void => {
    const ids = on ? [message.id, ...hints()] : hints()
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '))
    else control.removeAttribute('aria-describedby')
    if (on) control.setAttribute('aria-invalid', 'true')
    else control.removeAttribute('aria-invalid')
  }
  let shown = false
  return {
    show(key, params) {
      tr(message, key, params)
      message.hidden = false
      shown = true
      link(true)
    },
    showText(text) {
      delete message.dataset.i18n
      delete message.dataset.i18nParams
      message.textContent = text
      message.hidden = false
      shown = true
      link(true)
    },
    clear() {
      message.hidden = true
      message.textContent = ''
      shown = false
      link(false)
    },
    get shown() {
      return shown
    },
  }
}
