// Comment anchors in the text: the selection → two base64 Yjs relative positions (what the
// server stores), and back → inline decorations that highlight the commented passages.
import { Plugin, PluginKey, type EditorState } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

export interface Highlight {
  threadId: number
  start: string
  end: string
  active: boolean
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  bytes.forEach((byte) => (binary += String.fromCharCode(byte)))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

interface Binding {
  type: Y.XmlFragment
  doc: Y.Doc
  mapping: Map<unknown, unknown>
}

function bindingOf(state: EditorState): Binding | null {
  const pluginState = ySyncPluginKey.getState(state) as { binding?: Binding | null } | undefined
  return pluginState?.binding ?? null
}

/** The current selection as an anchor, with the selected text; null for an empty selection. */
export function anchorFromSelection(view: EditorView): { start: string; end: string; quote: string } | null {
  const { from, to, empty } = view.state.selection
  const binding = bindingOf(view.state)
  if (empty || !binding) return null
  const start = absolutePositionToRelativePosition(from, binding.type, binding.mapping as never)
  const end = absolutePositionToRelativePosition(to, binding.type, binding.mapping as never)
  return {
    start: toBase64(Y.encodeRelativePosition(start)),
    end: toBase64(Y.encodeRelativePosition(end)),
    quote: view.state.doc.textBetween(from, to, ' ').slice(0, 500),
  }
}

/** Where an anchor is now in the editor, or null when its text is gone. */
export function resolveAnchor(state: EditorState, start: string, end: string): { from: number; to: number } | null {
  const binding = bindingOf(state)
  if (!binding) return null
  try {
    const from = relativePositionToAbsolutePosition(binding.doc, binding.type, Y.decodeRelativePosition(fromBase64(start)), binding.mapping as never)
    const to = relativePositionToAbsolutePosition(binding.doc, binding.type, Y.decodeRelativePosition(fromBase64(end)), binding.mapping as never)
    if (from === null || to === null || to <= from || to > state.doc.content.size) return null
    return { from, to }
  } catch {
    return null
  }
}

const key = new PluginKey<Highlight[]>('polder-comment-highlights')

/** The plugin; `setHighlights` updates what it shows. */
export function highlightPlugin(): Plugin<Highlight[]> {
  return new Plugin<Highlight[]>({
    key,
    state: {
      init: () => [],
      apply: (tr, value) => (tr.getMeta(key) as Highlight[] | undefined) ?? value,
    },
    props: {
      decorations(state) {
        const highlights = key.getState(state) ?? []
        const decorations: Decoration[] = []
        for (const highlight of highlights) {
          const range = resolveAnchor(state, highlight.start, highlight.end)
          if (!range) continue
          decorations.push(
            Decoration.inline(range.from, range.to, {
              class: highlight.active ? 'comment-anchor comment-anchor-active' : 'comment-anchor',
              'data-thread': String(highlight.threadId),
            }),
          )
        }
        return DecorationSet.create(state.doc, decorations)
      },
    },
  })
}

export function setHighlights(view: EditorView, highlights: Highlight[]): void {
  view.dispatch(view.state.tr.setMeta(key, highlights).setMeta('addToHistory', false))
}
