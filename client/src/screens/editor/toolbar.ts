// The formatting toolbar (WAI-ARIA toolbar pattern): one tab stop, arrow keys move between
// buttons, toggle buttons report aria-pressed, every button has a label and its shortcut.
import type { EditorView } from 'prosemirror-view'
import { tr, trAttr } from '../../i18n'
import { h } from '../../ui/dom'
import { actions, type FormatAction } from './commands'

export interface Toolbar {
  element: HTMLElement
  update(view: EditorView): void
  setDisabled(disabled: boolean): void
}

/** `extras`: more buttons after the formatting ones (e.g. raising a dispute about the selection). */
export function createToolbar(getView: () => EditorView | null, editorId: string, extras: HTMLElement[] = []): Toolbar {
  const buttons: { action: FormatAction; button: HTMLButtonElement }[] = []
  const element = h('div', { role: 'toolbar', class: 'toolbar', 'aria-controls': editorId })
  trAttr(element, 'aria-label', 'editor.toolbar')

  let lastGroup: FormatAction['group'] | null = null
  for (const action of actions) {
    if (lastGroup && lastGroup !== action.group) element.append(h('span', { class: 'toolbar-separator', 'aria-hidden': 'true' }))
    lastGroup = action.group
    const button = h(
      'button',
      {
        type: 'button',
        class: `toolbar-button toolbar-${action.id}`,
        'data-action': action.id,
        'aria-keyshortcuts': action.keys,
        tabindex: buttons.length === 0 ? 0 : -1,
      },
    )
    if (action.icon === 'label') {
      button.append(tr(h('span', {}), action.label))
    } else {
      const icon = h('span', { 'aria-hidden': 'true', class: 'icon' })
      if (action.icon.startsWith('<svg')) icon.innerHTML = action.icon
      else icon.textContent = action.icon
      button.append(icon)
      trAttr(button, 'aria-label', action.label)
    }
    trAttr(button, 'title', action.label)
    if (action.active) button.setAttribute('aria-pressed', 'false')
    // keep the text selection: do not move focus on mouse down
    button.addEventListener('mousedown', (event) => event.preventDefault())
    button.addEventListener('click', () => {
      const view = getView()
      if (!view) return
      action.command(view.state, view.dispatch, view)
      view.focus()
    })
    buttons.push({ action, button })
    element.append(button)
  }

  if (extras.length) element.append(h('span', { class: 'toolbar-separator', 'aria-hidden': 'true' }))
  for (const extra of extras) {
    extra.setAttribute('tabindex', '-1')
    extra.classList.add('toolbar-button', 'toolbar-extra')
    element.append(extra)
  }
  // one tab stop for the whole toolbar: arrow keys move along formatting buttons and extras
  const stops: HTMLElement[] = [...buttons.map(({ button }) => button), ...extras]
  element.addEventListener('keydown', (event) => {
    const index = stops.findIndex((button) => button === document.activeElement)
    if (index < 0) return
    let next = index
    if (event.key === 'ArrowRight') next = (index + 1) % stops.length
    else if (event.key === 'ArrowLeft') next = (index - 1 + stops.length) % stops.length
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = stops.length - 1
    else return
    event.preventDefault()
    stops.forEach((button, i) => button.setAttribute('tabindex', i === next ? '0' : '-1'))
    stops[next]?.focus()
  })

  let disabled = false
  return {
    element,
    update(view) {
      for (const { action, button } of buttons) {
        if (action.active) {
          const pressed = String(action.active(view.state))
          if (button.getAttribute('aria-pressed') !== pressed) button.setAttribute('aria-pressed', pressed)
        }
        const enabled = !disabled && action.command(view.state, undefined, view)
        if (button.getAttribute('aria-disabled') !== String(!enabled)) button.setAttribute('aria-disabled', String(!enabled))
      }
    },
    setDisabled(value) {
      disabled = value
      const view = getView()
      if (view) this.update(view)
    },
  }
}
