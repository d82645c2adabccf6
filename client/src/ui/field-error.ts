// Validation errors shown at their field: the server names the field in its message
// ("title: may be at most 200 characters"), the form puts the message under that field, marks
// it aria-invalid and links it with aria-describedby.
import { ApiError } from '../api'
import { tr, type MessageKey, type Params } from '../i18n'
import { h } from './dom'

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement

/** The field a 422 answer names, or null. */
export function invalidField(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null
  const match = /^([a-z_]+): /.exec(error.message)
  return match?.[1] ?? null
}

/** The server's message without its field prefix. */
export function invalidMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^[a-z_]+: /, '')
}

export interface FieldError {
  /** The message element, to place right after the control. */
  element: HTMLElement
  show(message: string): void
  showKey(key: MessageKey, params?: Params): void
  clear(): void
}

/** An error line for one control, linked by aria-describedby (kept next to any hint). */
export function fieldError(control: Control): FieldError {
  const id = `${control.id}-error`
  const element = h('p', { class: 'field-error', id })
  element.hidden = true
  const link = (on: boolean): void => {
    const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== id)
    if (on) ids.push(id)
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '))
    else control.removeAttribute('aria-describedby')
  }
  return {
    element,
    show(message) {
      // a message as it is (from the server): no longer re-translated on a language switch
      delete element.dataset.i18n
      delete element.dataset.i18nParams
      element.textContent = message
      element.hidden = false
      control.setAttribute('aria-invalid', 'true')
      link(true)
    },
    showKey(key, params) {
      // a message of the app's own: it follows a language switch
      tr(element, key, params)
      element.hidden = false
      control.setAttribute('aria-invalid', 'true')
      link(true)
    },
    clear() {
      element.textContent = ''
      element.hidden = true
      control.removeAttribute('aria-invalid')
      link(false)
    },
  }
}

/** Like `fieldError`, with the message placed right before `control` (which is in its field). */
export function fieldErrorBefore(control: Control): FieldError {
  const error = fieldError(control)
  control.before(error.element)
  return error
}
