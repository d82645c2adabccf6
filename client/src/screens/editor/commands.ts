// Formatting commands shared by the toolbar and the keyboard shortcuts.
import { baseKeymap, chainCommands, exitCode, setBlockType, toggleMark } from 'prosemirror-commands'
import { keymap } from 'prosemirror-keymap'
import type { MarkType, NodeType } from 'prosemirror-model'
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list'
import type { Command, EditorState, Plugin } from 'prosemirror-state'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from './schema'

const { nodes, marks } = schema


/** Wraps the selection in a list of `type`, or lifts it out if it is already in one. */
function toggleList(type: NodeType): Command {
  return (state, dispatch) => {
    if (listTypeAt(state) === type) return liftListItem(nodes.list_item!)(state, dispatch)
    return wrapInList(type)(state, dispatch)
  }
}

export function listTypeAt(state: EditorState): NodeType | null {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const type = $from.node(depth).type
    if (type === nodes.bullet_list || type === nodes.ordered_list) return type
  }
  return null
}

export function markActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection
  if (empty) return Boolean(type.isInSet(state.storedMarks ?? $from.marks()))
  return state.doc.rangeHasMark(from, to, type)
}

export function blockActive(state: EditorState, type: NodeType, attrs: Record<string, unknown> = {}): boolean {
  const parent = state.selection.$from.parent
  return parent.type === type && Object.entries(attrs).every(([key, value]) => parent.attrs[key] === value)
}

export interface FormatAction {
  id: string
  label:
    | 'editor.bold' | 'editor.italic' | 'editor.paragraph' | 'editor.heading1' | 'editor.heading2'
    | 'editor.heading3' | 'editor.bulletList' | 'editor.orderedList' | 'editor.undo' | 'editor.redo'
  /** Shown in the shortcuts list and as aria-keyshortcuts. */
  keys: string
  /** A character, an SVG, or 'label': the button shows its label (WCAG 2.5.3 label in name). */
  icon: string
  command: Command
  /** For toggle buttons: whether the format applies at the selection. */
  active?: (state: EditorState) => boolean
  group: 'mark' | 'block' | 'list' | 'history'
}

const svg = (body: string): string =>
  `<svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false" fill="currentColor">${body}</svg>`
const BULLET_ICON = svg('<circle cx="3.5" cy="5" r="1.8"/><circle cx="3.5" cy="10" r="1.8"/><circle cx="3.5" cy="15" r="1.8"/><rect x="7" y="4" width="11" height="2"/><rect x="7" y="9" width="11" height="2"/><rect x="7" y="14" width="11" height="2"/>')
const NUMBERED_ICON = svg('<path d="M2.2 3h1.6v4.5H2.7V4.2h-.5zM1.8 11.2c.2-.9.9-1.4 1.7-1.4.9 0 1.6.6 1.6 1.4 0 .6-.4 1-1 1.5l-.7.5h1.8v1H1.8v-.9l1.6-1.3c.4-.3.6-.6.6-.8 0-.3-.2-.5-.5-.5s-.5.2-.6.6z"/><rect x="7" y="4" width="11" height="2"/><rect x="7" y="9" width="11" height="2"/><rect x="7" y="14" width="11" height="2"/>')

export const actions: FormatAction[] = [
  { id: 'bold', label: 'editor.bold', keys: 'Control+B', icon: 'B', group: 'mark', command: toggleMark(marks.strong!), active: (s) => markActive(s, marks.strong!) },
  { id: 'italic', label: 'editor.italic', keys: 'Control+I', icon: 'I', group: 'mark', command: toggleMark(marks.em!), active: (s) => markActive(s, marks.em!) },
  { id: 'paragraph', label: 'editor.paragraph', keys: 'Control+Alt+0', icon: '¶', group: 'block', command: setBlockType(nodes.paragraph!), active: (s) => blockActive(s, nodes.paragraph!) },
  { id: 'heading1', label: 'editor.heading1', keys: 'Control+Alt+1', icon: 'label', group: 'block', command: setBlockType(nodes.heading!, { level: 1 }), active: (s) => blockActive(s, nodes.heading!, { level: 1 }) },
  { id: 'heading2', label: 'editor.heading2', keys: 'Control+Alt+2', icon: 'label', group: 'block', command: setBlockType(nodes.heading!, { level: 2 }), active: (s) => blockActive(s, nodes.heading!, { level: 2 }) },
  { id: 'heading3', label: 'editor.heading3', keys: 'Control+Alt+3', icon: 'label', group: 'block', command: setBlockType(nodes.heading!, { level: 3 }), active: (s) => blockActive(s, nodes.heading!, { level: 3 }) },
  { id: 'bullet-list', label: 'editor.bulletList', keys: 'Control+Shift+8', icon: BULLET_ICON, group: 'list', command: toggleList(nodes.bullet_list!), active: (s) => listTypeAt(s) === nodes.bullet_list },
  { id: 'ordered-list', label: 'editor.orderedList', keys: 'Control+Shift+7', icon: NUMBERED_ICON, group: 'list', command: toggleList(nodes.ordered_list!), active: (s) => listTypeAt(s) === nodes.ordered_list },
  { id: 'undo', label: 'editor.undo', keys: 'Control+Z', icon: '↶', group: 'history', command: undoCommand },
  { id: 'redo', label: 'editor.redo', keys: 'Control+Y', icon: '↷', group: 'history', command: redoCommand },
]

/** "Control+Alt+1" → ProseMirror's "Mod-Alt-1". */
function toProseMirrorKey(keys: string): string {
  return keys.replace('Control', 'Mod').replace(/\+/g, '-').replace(/-([A-Z])$/, (_m, key: string) => `-${key.toLowerCase()}`)
}

export function formattingKeymaps(): Plugin[] {
  const bindings: Record<string, Command> = {}
  for (const action of actions) bindings[toProseMirrorKey(action.keys)] = action.command
  bindings['Shift-Mod-z'] = redoCommand
  bindings['Enter'] = splitListItem(nodes.list_item!)
  bindings['Mod-]'] = sinkListItem(nodes.list_item!)
  bindings['Mod-['] = liftListItem(nodes.list_item!)
  const hardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
    dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break!.create()).scrollIntoView())
    return true
  })
  bindings['Shift-Enter'] = hardBreak
  return [keymap(bindings), keymap(baseKeymap)]
}
