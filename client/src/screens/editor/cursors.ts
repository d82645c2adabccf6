// Remote cursors and selections in each person's colour, with a name label (yCursorPlugin).
// The labels are hidden from screen readers, which get the presence list instead; otherwise
// names would be read out in the middle of the text.
import type { DecorationAttrs } from 'prosemirror-view'

interface CursorUser {
  name?: unknown
  color?: unknown
}

function colourOf(user: CursorUser): string {
  return typeof user.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(user.color) ? user.color : '#444444'
}

export function cursorBuilder(user: CursorUser): HTMLElement {
  const colour = colourOf(user)
  const cursor = document.createElement('span')
  cursor.className = 'ProseMirror-yjs-cursor'
  cursor.setAttribute('aria-hidden', 'true')
  cursor.style.borderColor = colour
  const label = document.createElement('span')
  label.className = 'cursor-label'
  label.style.backgroundColor = colour
  label.textContent = typeof user.name === 'string' ? user.name : '?'
  cursor.append('\u2060', label, '\u2060')
  return cursor
}

export function selectionBuilder(user: CursorUser): DecorationAttrs {
  return { style: `background-color: ${colourOf(user)}33`, class: 'ProseMirror-yjs-selection' }
}
