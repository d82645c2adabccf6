// Small building blocks shared by the domain screens: party chips, status chips, role badges,
// form fields, error boxes, dates. Colours are set through the CSSOM (the Content-Security-
// Policy allows no inline style attributes).
import type { BodyRole, DraftStatus } from '../api'
import { formatDate, t, tr, type MessageKey, type Params } from '../i18n'
import { colourOfParty } from '../parties'
import { h } from './dom'
import { describeError } from './errors'

/** A party code with its colour as a swatch; the text stays dark on white (contrast). */
export function partyChip(code: string | null | undefined, colour?: string): HTMLElement {
  const label = code ?? '—'
  const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' })
  swatch.style.backgroundColor = colour ?? colourOfParty(code)
  const chip = h('span', { class: 'party-chip', 'data-party': label }, swatch, label)
  chip.style.borderColor = colour ?? colourOfParty(code)
  return chip
}

export const STATUS_KEYS: Record<DraftStatus, MessageKey> = {
  concept: 'status.concept',
  consultatie: 'status.consultatie',
  vastgesteld: 'status.vastgesteld',
  aangeboden: 'status.aangeboden',
  besloten: 'status.besloten',
  ingetrokken: 'status.ingetrokken',
}

export function statusChip(status: DraftStatus): HTMLElement {
  return tr(h('span', { class: `status-chip status-${status}`, 'data-status': status }), STATUS_KEYS[status])
}

export const ROLE_KEYS: Record<BodyRole, MessageKey> = {
  chair: 'role.chair',
  secretariat: 'role.secretariat',
  member: 'role.member',
  observer: 'role.observer',
}

export function roleBadge(role: BodyRole): HTMLElement {
  return tr(h('span', { class: `role-badge role-${role}`, 'data-role': role }), ROLE_KEYS[role])
}

export function dateText(ms: number | null | undefined): string {
  return ms ? formatDate(new Date(ms)) : '—'
}

let fieldCounter = 0

/** A labelled form field; returns the wrapper. `hint` is linked with aria-describedby. */
export function field(
  label: MessageKey,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: MessageKey,
): HTMLElement {
  if (!control.id) control.id = `f${++fieldCounter}`
  const children: HTMLElement[] = [tr(h('label', { for: control.id }), label)]
  if (hint) {
    const hintEl = tr(h('p', { class: 'hint', id: `${control.id}-hint` }), hint)
    control.setAttribute('aria-describedby', hintEl.id)
    children.push(hintEl)
  }
  children.push(control)
  return h('div', { class: 'field' }, ...children)
}

export function checkboxField(label: MessageKey, input: HTMLInputElement): HTMLElement {
  if (!input.id) input.id = `f${++fieldCounter}`
  input.type = 'checkbox'
  return h('div', { class: 'field field-check' }, input, tr(h('label', { for: input.id }), label))
}

export function select(options: [string, string | MessageKey, boolean?][], attrs: Record<string, string> = {}): HTMLSelectElement {
  const el = h('select', attrs)
  for (const [value, label, translate] of options) {
    const option = h('option', { value })
    if (translate) tr(option, label as MessageKey)
    else option.textContent = label
    el.append(option)
  }
  return el
}

/** An error/notice box: hidden until `show`; role=alert so it is announced. */
export function messageBox(): { element: HTMLElement; error(error: unknown): void; text(key: MessageKey, params?: Params): void; clear(): void } {
  const element = h('div', { class: 'alert alert-error', role: 'alert' })
  element.hidden = true
  return {
    element,
    error(error) {
      element.replaceChildren(h('p', {}, describeError(error)))
      element.hidden = false
    },
    text(key, params) {
      element.replaceChildren(tr(h('p', {}), key, params))
      element.hidden = false
    },
    clear() {
      element.hidden = true
      element.replaceChildren()
    },
  }
}

/** A section with an h2 heading linked by aria-labelledby. */
export function section(id: string, title: MessageKey, ...children: (Node | null | false)[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': `${id}-title`, id }, tr(h('h2', { id: `${id}-title` }), title), ...children)
}

export function loading(): HTMLElement {
  return tr(h('p', { class: 'muted' }), 'app.loading')
}

/** Runs `work` with the button disabled (and its label swapped for a busy text). */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true
  button.setAttribute('aria-busy', 'true')
  try {
    return await work()
  } finally {
    button.disabled = false
    button.removeAttribute('aria-busy')
  }
}

export function textOf(key: MessageKey, params?: Params): string {
  return t(key, params)
}
