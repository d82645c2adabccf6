// Home: "my documents". Lists what `api.documents.listMyDocuments` returns (for now: recently
// opened in this browser) and lets the user open a document by its id.
import { documents, type DocumentSummary } from '../api'
import type { App } from '../app'
import { formatDate, onLangChange, t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'

function documentList(items: DocumentSummary[]): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted' }), 'home.listEmpty')
  return h(
    'ul',
    { class: 'doc-list' },
    ...items.map((item) =>
      h(
        'li',
        {},
        h('a', { href: `/drafts/${encodeURIComponent(item.id)}`, 'data-link': true }, item.title ?? item.id),
        item.lastOpened
          ? tr(h('span', { class: 'muted' }), 'home.lastOpened', { date: formatDate(new Date(item.lastOpened)) })
          : null,
      ),
    ),
  )
}

export function homeScreen(app: App): Screen {
  let unsubscribe: (() => void) | null = null
  return {
    title: () => t('home.title'),
    async mount(main) {
      const listSection = h('section', { 'aria-labelledby': 'recent-title' }, tr(h('h2', { id: 'recent-title' }), 'home.listTitle'))
      const listHolder = h('div', {})
      listSection.append(listHolder)
      const showList = async (): Promise<void> => {
        listHolder.replaceChildren(documentList(await documents.listMyDocuments(app.me?.id ?? null)))
      }

      const input = h('input', {
        id: 'doc-id',
        name: 'doc-id',
        type: 'text',
        required: true,
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-describedby': 'doc-id-hint',
      })
      const hint = tr(h('p', { id: 'doc-id-hint', class: 'hint' }), 'home.docIdHint')
      const error = h('p', { id: 'doc-id-error', class: 'field-error' })
      error.hidden = true
      const form = h(
        'form',
        { class: 'card form inline-form', novalidate: true, 'aria-labelledby': 'open-title' },
        tr(h('h2', { id: 'open-title' }), 'home.openTitle'),
        h('div', { class: 'field' }, tr(h('label', { for: 'doc-id' }), 'home.docId'), hint, error, input),
        h('div', { class: 'actions' }, tr(h('button', { type: 'submit', class: 'button-primary' }), 'home.open')),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        const id = input.value.trim()
        if (!documents.DOC_ID_PATTERN.test(id)) {
          tr(error, 'home.docIdInvalid')
          error.hidden = false
          input.setAttribute('aria-invalid', 'true')
          input.setAttribute('aria-describedby', 'doc-id-error doc-id-hint')
          input.focus()
          return
        }
        app.navigate(`/drafts/${encodeURIComponent(id)}`)
      })

      main.append(tr(h('h1', {}), 'home.title'), tr(h('p', { class: 'lead' }), 'home.intro'), form, listSection)
      await showList()
      unsubscribe = onLangChange(() => void showList())
    },
    destroy() {
      unsubscribe?.()
    },
  }
}
