// The draft editor screen, /drafts/{docId}.
import { documents } from '../../api'
import type { App } from '../../app'
import { onLangChange, t, tr } from '../../i18n'
import { partyColour, partyOf } from '../../parties'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { actions } from './commands'
import { mountPresence } from './presence'
import { openDraft, type DraftSession } from './session'
import { mountConnectionStatus } from './status'
import { createToolbar } from './toolbar'

const EDITOR_ID = 'draft-editor'

function shortcutsHelp(): HTMLElement {
  const rows = actions.map((action) =>
    h('div', { class: 'shortcut' }, tr(h('dt', {}), action.label), h('dd', {}, h('kbd', {}, action.keys.replace(/\+/g, ' + ')))),
  )
  rows.push(h('div', { class: 'shortcut' }, tr(h('dt', {}), 'editor.shortcutIndent'), h('dd', {}, h('kbd', {}, 'Control + ]'), ' / ', h('kbd', {}, 'Control + ['))))
  return h(
    'details',
    { class: 'shortcuts' },
    tr(h('summary', {}), 'editor.shortcuts'),
    tr(h('p', { class: 'hint' }), 'editor.shortcutsIntro'),
    h('dl', {}, ...rows),
  )
}

export function editorScreen(app: App, docId: string): Screen {
  const cleanups: (() => void)[] = []
  let session: DraftSession | null = null

  return {
    title: () => t('editor.title', { id: docId }),
    mount(main) {
      const me = app.me
      if (!me) return
      void documents.rememberOpened(me.id, docId)
      const party = partyOf(me)
      const user = { id: me.id, name: me.name, party, color: partyColour(party, me.name) }

      const heading = tr(h('h1', { class: 'editor-title' }), 'editor.title', { id: docId })
      const back = h('p', { class: 'back' }, tr(h('a', { href: '/', 'data-link': true }), 'editor.back'))
      const host = h('div', { class: 'editor-host' })
      const label = tr(h('span', { id: 'draft-label', class: 'visually-hidden' }), 'editor.textLabel')
      const toolbar = createToolbar(() => session?.view ?? null, EDITOR_ID)
      const statusSlot = h('div', { class: 'status-slot' })
      const sidebar = h('div', { class: 'editor-sidebar' })
      const rejected = h('p', { class: 'alert alert-error', role: 'alert' })
      rejected.hidden = true

      const start = (readOnly: boolean): void => {
        const current = openDraft({
          docId,
          host,
          user,
          readOnly,
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
        const status = mountConnectionStatus(current.connection)
        const presence = mountPresence(current.connection.provider.awareness)
        statusSlot.replaceChildren(status.element)
        sidebar.replaceChildren(presence.element, shortcutsHelp())
        const unsubscribe = current.connection.onChange((snapshot) => toolbar.setDisabled(snapshot.readOnly))
        current.connection.onDeniedOnce((denial) => {
          // the server refused an edit: start over from the server's state (read-only if that
          // was the reason) and say why
          if (session !== current) return
          stop()
          start(denial.readOnly)
          if (denial.readOnly) {
            rejected.hidden = true
          } else {
            tr(rejected, 'editor.rejected', { reason: denial.reason })
            rejected.hidden = false
          }
        })
        const onBeforeUnload = (event: BeforeUnloadEvent): void => {
          if (current.connection.snapshot().pendingLocalChanges) event.preventDefault()
        }
        window.addEventListener('beforeunload', onBeforeUnload)
        stopCurrent = () => {
          window.removeEventListener('beforeunload', onBeforeUnload)
          unsubscribe()
          status.destroy()
          presence.destroy()
          current.destroy()
          host.replaceChildren()
        }
      }
      let stopCurrent: (() => void) | null = null
      const stop = (): void => {
        stopCurrent?.()
        stopCurrent = null
        session = null
      }

      main.append(
        h(
          'div',
          { class: 'editor-screen' },
          h('div', { class: 'editor-head' }, back, heading, statusSlot),
          rejected,
          h('div', { class: 'editor-layout' }, h('div', { class: 'editor-column' }, label, toolbar.element, host), sidebar),
        ),
      )
      start(false)
      cleanups.push(stop)
      cleanups.push(onLangChange(() => session && toolbar.update(session.view)))
    },
    destroy() {
      cleanups.forEach((cleanup) => cleanup())
    },
  }
}
