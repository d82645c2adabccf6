// The body's archive for administrators: one button downloads the complete record as a zip
// (documents as PDF and DOCX, record sets as JSON and CSV, a manifest of SHA-256 hashes).
// Building it takes a while for a large body, so the button shows that it is busy and a
// status line says what is happening; an error says what to do next.
import { settings } from '../../api'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox } from '../../ui/widgets'
import { sizeText } from '../meetings/labels'

export function archivePart(bodyId: number, bodyName: string): { element: HTMLElement } {
  const box = messageBox()
  const status = h('p', { class: 'hint', id: 'archive-status', role: 'status', 'aria-live': 'polite' })
  const button = tr(h('button', { type: 'button', class: 'button-primary', id: 'archive-download' }), 'archive.download')
  button.addEventListener('click', () => {
    box.clear()
    status.textContent = t('archive.building')
    void busy(button, async () => {
      try {
        const blob = await settings.archive(bodyId)
        const url = URL.createObjectURL(blob)
        const link = h('a', { href: url, download: `archief-${bodyId}.zip`, hidden: true })
        document.body.append(link)
        link.click()
        link.remove()
        // give the browser time to start the download before the address is released
        window.setTimeout(() => URL.revokeObjectURL(url), 60_000)
        status.textContent = t('archive.done', { size: sizeText(blob.size) })
        announce(t('archive.done', { size: sizeText(blob.size) }))
      } catch (error) {
        status.textContent = ''
        box.error(error)
      }
    })
  })
  return {
    element: h(
      'div',
      { class: 'stack', id: 'archive-part' },
      tr(h('p', { class: 'hint' }), 'archive.intro', { name: bodyName }),
      tr(h('p', { class: 'hint' }), 'archive.slow'),
      box.element,
      h('div', { class: 'actions' }, button),
      status,
    ),
  }
}
