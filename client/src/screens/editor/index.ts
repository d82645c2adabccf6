// The plain document editor screen, /drafts/{docId} for documents that are not (yet) a draft
// of a working group (opened by their id). Drafts of a group open in screens/draft.
import { documents } from '../../api'
import type { App } from '../../app'
import { t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { actions } from './commands'
import { mountLiveEditor, type LiveEditor } from './mount'

export function shortcutsHelp(): HTMLElement {
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
  let editor: LiveEditor | null = null
  return {
    title: () => t('editor.title', { id: docId }),
    mount(main) {
      const me = app.me
      if (!me) return
      void documents.rememberOpened(me.id, docId)
      editor = mountLiveEditor({ docId, me })
      const heading = tr(h('h1', { class: 'editor-title' }), 'editor.title', { id: docId })
      const back = h('p', { class: 'back' }, tr(h('a', { href: '/', 'data-link': true }), 'editor.back'))
      main.append(
        h(
          'div',
          { class: 'editor-screen' },
          h('div', { class: 'editor-head' }, back, heading, editor.status),
          editor.rejected,
          h('div', { class: 'editor-layout' }, editor.column, h('div', { class: 'editor-sidebar' }, editor.presence, shortcutsHelp())),
        ),
      )
    },
    destroy() {
      editor?.destroy()
    },
  }
}
