// One open draft: Y.Doc + sync connection + ProseMirror view bound to the XmlFragment
// "prosemirror", with remote cursors, undo and the formatting keymaps.
import { Plugin } from 'prosemirror-state'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { ySyncPlugin, yCursorPlugin, yUndoPlugin } from 'y-prosemirror'
import * as Y from 'yjs'
import { formattingKeymaps } from './commands'
import { cursorBuilder, selectionBuilder } from './cursors'
import type { PresenceUser } from './presence'
import { schema } from './schema'
import { DraftConnection } from './sync'

export interface DraftSession {
  doc: Y.Doc
  connection: DraftConnection
  view: EditorView
  destroy(): void
}

export interface SessionOptions {
  docId: string
  host: HTMLElement
  user: PresenceUser
  readOnly: boolean
  /** Extra ProseMirror plugins (comment highlights). */
  plugins?: Plugin[]
  /** Called after every view update (toolbar state). */
  onViewUpdate(view: EditorView): void
  /** Extra DOM attributes for the editable element. */
  attributes: Record<string, string>
}

export function openDraft(options: SessionOptions): DraftSession {
  const doc = new Y.Doc()
  const connection = new DraftConnection(options.docId, doc, options.readOnly)
  const awareness = connection.provider.awareness
  awareness.setLocalStateField('user', options.user)
  let readOnly = options.readOnly

  const toolbarSync = new Plugin({
    view: (view) => {
      options.onViewUpdate(view)
      return { update: (updated) => options.onViewUpdate(updated) }
    },
  })
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(doc.getXmlFragment('prosemirror')),
      yCursorPlugin(awareness, { cursorBuilder, selectionBuilder }),
      yUndoPlugin(),
      ...formattingKeymaps(),
      toolbarSync,
      ...(options.plugins ?? []),
    ],
  })
  let destroyed = false
  const view = new EditorView(options.host, {
    state,
    editable: () => !readOnly,
    // y-prosemirror defers some dispatches with setTimeout(0) and checks `binding.isDestroyed`,
    // which it never sets (y-prosemirror 1.3.7, src/lib.js updateMetas): drop those once the
    // view is gone instead of letting ProseMirror throw.
    dispatchTransaction(this: EditorView, transaction) {
      if (destroyed) return
      this.updateState(this.state.apply(transaction))
    },
    attributes: () => ({
      ...options.attributes,
      'aria-readonly': String(readOnly),
      class: 'draft-text',
    }),
  })
  const unsubscribe = connection.onChange((snapshot) => {
    if (snapshot.readOnly !== readOnly) {
      readOnly = snapshot.readOnly
      view.setProps({})
    }
  })

  return {
    doc,
    connection,
    view,
    destroy() {
      destroyed = true
      unsubscribe()
      view.destroy()
      connection.destroy()
      doc.destroy()
    },
  }
}
