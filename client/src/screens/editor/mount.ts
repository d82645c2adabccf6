// The live editor as a reusable part: toolbar, text, connection status, presence; restarts
// read-only when the server says so. Used by the plain document screen and the draft screen.
import type { Plugin } from 'prosemirror-state'
import type { Me } from '../../api'
import { onLangChange, tr } from '../../i18n'
import { partyColour, partyOf } from '../../parties'
import { h } from '../../ui/dom'
import { mountPresence } from './presence'
import { openDraft, type DraftSession } from './session'
import { mountConnectionStatus } from './status'
import type { Denial } from './sync'
import { createToolbar } from './toolbar'

export const EDITOR_ID = 'draft-editor'

export interface LiveEditor {
  /** Toolbar + text, to place in the main column. */
  column: HTMLElement
  /** Connection status line. */
  status: HTMLElement
  /** Who is in the document. */
  presence: HTMLElement
  /** Shown when the server refused an edit for a reason other than read-only. */
  rejected: HTMLElement
  session(): DraftSession | null
  /** Called whenever a new session starts (first open, restart after a refusal). */
  onSession(listener: (session: DraftSession) => void): void
  /** Reconnects editable (the draft went back to concept). */
  reopen(): void
  destroy(): void
}

export function mountLiveEditor(options: {
  docId: string
  me: Me
  plugins?: Plugin[]
  /** More toolbar buttons after the formatting ones. */
  toolbarExtras?: HTMLElement[]
  onDenied?(denial: Denial): void
}): LiveEditor {
  const { docId, me } = options
  const party = partyOf(me)
  const user = { id: me.id, name: me.name, party, color: me.colour ?? partyColour(party, me.name) }
  let session: DraftSession | null = null
  const sessionListeners: ((session: DraftSession) => void)[] = []

  const host = h('div', { class: 'editor-host' })
  const label = tr(h('span', { id: 'draft-label', class: 'visually-hidden' }), 'editor.textLabel')
  const toolbar = createToolbar(() => session?.view ?? null, EDITOR_ID, options.toolbarExtras ?? [])
  const status = h('div', { class: 'status-slot' })
  const presence = h('div', { class: 'presence-slot' })
  const rejected = h('p', { class: 'alert alert-error', role: 'alert' })
  rejected.hidden = true
  let stopCurrent: (() => void) | null = null

  const stop = (): void => {
    stopCurrent?.()
    stopCurrent = null
    session = null
  }

  const start = (readOnly: boolean): void => {
    const current = openDraft({
      docId,
      host,
      user,
      readOnly,
      plugins: options.plugins ?? [],
      onViewUpdate: (view) => toolbar.update(view),
      attributes: {
        id: EDITOR_ID,
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': 'draft-label',
        spellcheck: 'true',
        lang: 'nl',
      },
    })
    session = current
    const statusView = mountConnectionStatus(current.connection)
    const presenceView = mountPresence(current.connection.provider.awareness)
    status.replaceChildren(statusView.element)
    presence.replaceChildren(presenceView.element)
    const unsubscribe = current.connection.onChange((snapshot) => toolbar.setDisabled(snapshot.readOnly))
    const onDenied = (denial: Denial): void => {
      // the server refused an edit (or says the draft is frozen): start over from the
      // server's state (read-only if that was the reason) and say why
      if (session !== current) return
      if (readOnly && denial.readOnly) {
        // already read-only (the server repeats it on every connect): nothing to undo
        current.connection.onDeniedOnce(onDenied)
        return
      }
      stop()
      start(denial.readOnly)
      if (denial.readOnly) {
        rejected.hidden = true
      } else {
        tr(rejected, 'editor.rejected', { reason: denial.reason })
        rejected.hidden = false
      }
      options.onDenied?.(denial)
    }
    current.connection.onDeniedOnce(onDenied)
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      if (current.connection.snapshot().pendingLocalChanges) event.preventDefault()
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    stopCurrent = () => {
      window.removeEventListener('beforeunload', onBeforeUnload)
      unsubscribe()
      statusView.destroy()
      presenceView.destroy()
      current.destroy()
      host.replaceChildren()
    }
    sessionListeners.forEach((listener) => listener(current))
  }

  const column = h('div', { class: 'editor-column' }, label, toolbar.element, host)
  start(false)
  const unsubscribeLang = onLangChange(() => session && toolbar.update(session.view))
  return {
    column,
    status,
    presence,
    rejected,
    session: () => session,
    onSession(listener) {
      sessionListeners.push(listener)
      if (session) listener(session)
    },
    reopen() {
      rejected.hidden = true
      stop()
      start(false)
    },
    destroy() {
      unsubscribeLang()
      stop()
    },
  }
}
