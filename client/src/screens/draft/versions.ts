// The versions panel: named versions (frozen ones from the status flow too), a new named
// version, open as HTML, download DOCX / Markdown, and a comparison of two versions.
import { drafts, type Version } from '../../api'
import type { App } from '../../app'
import { t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, dateText, field, messageBox, statusChip } from '../../ui/widgets'

export function versionsPanel(app: App, draftId: number, canCreate: () => boolean, onCreated?: () => void): { element: HTMLElement; refresh(): Promise<void> } {
  const errors = messageBox()
  const list = h('ul', { class: 'version-list' })
  const name = h('input', { type: 'text', id: 'version-name', autocomplete: 'off' })
  const create = tr(h('button', { type: 'submit', class: 'button-quiet' }), 'versions.create')
  const form = h('form', { class: 'version-form', novalidate: true }, field('versions.name', name), create)
  const from = h('select', { id: 'compare-from' })
  const to = h('select', { id: 'compare-to' })
  const compareButton = tr(h('button', { type: 'submit', class: 'button-quiet' }), 'versions.compare')
  const compareForm = h(
    'form',
    { class: 'compare-form', novalidate: true, 'aria-labelledby': 'compare-title' },
    tr(h('h3', { id: 'compare-title' }), 'versions.compareTitle'),
    field('versions.from', from),
    field('versions.to', to),
    compareButton,
  )
  let versions: Version[] = []

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!name.value.trim()) {
      errors.text('error.required', { field: t('versions.name') })
      name.focus()
      return
    }
    void busy(create, async () => {
      try {
        await drafts.createVersion(draftId, name.value.trim())
        name.value = ''
        errors.clear()
        announce(t('versions.created'))
        await refresh()
        onCreated?.()
      } catch (error) {
        errors.error(error)
      }
    })
  })
  compareForm.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!from.value || !to.value) return
    app.navigate(`/drafts/${draftId}/compare?from=${from.value}&to=${to.value}`)
  })

  const render = (): void => {
    if (versions.length === 0) list.replaceChildren(tr(h('li', { class: 'muted' }), 'versions.none'))
    else
      list.replaceChildren(
        ...versions.map((version) => {
          const html = trAttr(h('a', { href: drafts.versionUrl(draftId, version.id, 'html'), target: '_blank', rel: 'noopener' }), 'aria-label', 'versions.openLabel', { name: version.name })
          tr(html, 'versions.open')
          const docx = trAttr(h('a', { href: drafts.versionUrl(draftId, version.id, 'docx'), download: '' }), 'aria-label', 'versions.docxLabel', { name: version.name })
          docx.textContent = 'DOCX'
          const pdf = trAttr(h('a', { href: drafts.versionUrl(draftId, version.id, 'pdf'), download: '', class: 'version-pdf' }), 'aria-label', 'versions.pdfLabel', { name: version.name })
          pdf.textContent = 'PDF'
          const md = trAttr(h('a', { href: drafts.versionUrl(draftId, version.id, 'markdown'), download: '' }), 'aria-label', 'versions.markdownLabel', { name: version.name })
          md.textContent = 'Markdown'
          return h(
            'li',
            { 'data-version': String(version.id) },
            h('span', { class: 'version-name' }, version.name),
            ' ',
            statusChip(version.status),
            h('span', { class: 'muted version-date' }, dateText(version.created_at)),
            h('span', { class: 'version-links' }, html, pdf, docx, md),
          )
        }),
      )
    const options = (withCurrent: boolean): HTMLOptionElement[] => [
      ...versions.map((version) => h('option', { value: String(version.id) }, `${version.name} (${dateText(version.created_at)})`)),
      ...(withCurrent ? [tr(h('option', { value: 'current' }), 'versions.current')] : []),
    ]
    const [fromValue, toValue] = [from.value, to.value]
    from.replaceChildren(...options(false))
    to.replaceChildren(...options(true))
    if (fromValue) from.value = fromValue
    to.value = toValue || 'current'
    compareForm.hidden = versions.length === 0
    form.hidden = !canCreate()
  }

  const refresh = async (): Promise<void> => {
    try {
      versions = await drafts.listVersions(draftId)
      errors.clear()
    } catch (error) {
      errors.error(error)
    }
    render()
  }

  const element = h(
    'section',
    { class: 'panel versions-panel', 'aria-labelledby': 'versions-title', id: 'versions' },
    tr(h('h2', { id: 'versions-title' }), 'versions.title'),
    errors.element,
    list,
    form,
    compareForm,
  )
  return { element, refresh }
}
