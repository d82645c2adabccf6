// "Stukken versturen": the agenda and its papers rendered as one PDF and one DOCX and sent to
// every member and observer of the body. While it runs the screen says so (a progress bar and
// a live announcement); afterwards the sent packs are listed with their downloads and SHA-256.
import { meetings } from '../../api'
import type { MeetingDetail, MeetingPack } from '../../api/meetings'
import { t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, dateText, messageBox } from '../../ui/widgets'
import { sizeText } from './labels'

function packTable(packs: MeetingPack[]): HTMLElement {
  if (packs.length === 0) return tr(h('p', { class: 'muted', id: 'pack-list' }), 'pack.none')
  const head = h('tr', {}, tr(h('th', { scope: 'col' }), 'pack.sentAt'), tr(h('th', { scope: 'col' }), 'pack.sentBy'), tr(h('th', { scope: 'col' }), 'pack.downloads'), tr(h('th', { scope: 'col' }), 'pack.hashes'))
  const rows = [...packs]
    .sort((a, b) => b.sent_at - a.sent_at)
    .map((p) =>
      h(
        'tr',
        { 'data-pack': String(p.id) },
        h('th', { scope: 'row' }, dateText(p.sent_at)),
        h('td', {}, p.sent_by ?? '—'),
        h(
          'td',
          {},
          trAttr(h('a', { href: meetings.packUrl(p.id, 'pdf'), download: '', class: 'pack-pdf' }, `PDF (${sizeText(p.pdf_bytes)})`), 'aria-label', 'pack.pdfLabel', { date: dateText(p.sent_at), size: sizeText(p.pdf_bytes) }),
          ' · ',
          trAttr(h('a', { href: meetings.packUrl(p.id, 'docx'), download: '', class: 'pack-docx' }, `DOCX (${sizeText(p.docx_bytes)})`), 'aria-label', 'pack.docxLabel', { date: dateText(p.sent_at), size: sizeText(p.docx_bytes) }),
        ),
        h('td', { class: 'hash' }, h('span', {}, 'PDF: ', h('code', {}, p.pdf_sha256)), h('br', {}), h('span', {}, 'DOCX: ', h('code', {}, p.docx_sha256))),
      ),
    )
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table pack-list', id: 'pack-list' }, tr(h('caption', { class: 'visually-hidden' }), 'pack.listTitle'), h('thead', {}, head), h('tbody', {}, ...rows)))
}

export function packPart(detail: MeetingDetail, steer: boolean, reload: (focusId?: string) => Promise<void>, flash: { sent: MeetingPack | null }): HTMLElement[] {
  const parts: HTMLElement[] = []
  if (flash.sent) {
    const sent = flash.sent
    parts.push(tr(h('p', { class: 'alert alert-ok', id: 'pack-result', tabindex: '-1' }), 'pack.sent', { date: dateText(sent.sent_at) }))
  }
  if (steer && detail.status !== 'geannuleerd') {
    const errors = messageBox()
    const note = h('textarea', { id: 'pack-note', rows: 2 })
    const progress = h('div', { class: 'pack-progress', id: 'pack-progress' }, h('progress', { 'aria-labelledby': 'pack-progress-text' }), tr(h('p', { id: 'pack-progress-text' }), 'pack.running'))
    progress.hidden = true
    const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'send-pack' }), 'pack.send')
    const form = h(
      'form',
      { class: 'stack', novalidate: true, id: 'pack-form' },
      errors.element,
      tr(h('p', { class: 'hint' }), detail.agenda.length ? 'pack.hint' : 'pack.emptyAgenda'),
      h('div', { class: 'field' }, tr(h('label', { for: note.id }), 'pack.note'), note),
      h('div', { class: 'actions' }, submit),
      progress,
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      errors.clear()
      progress.hidden = false
      announce(t('pack.running'))
      void busy(submit, async () => {
        try {
          flash.sent = await meetings.sendPack(detail.id, note.value.trim() || undefined)
          announce(t('pack.sent', { date: dateText(flash.sent.sent_at) }))
          await reload('pack-result')
        } catch (error) {
          progress.hidden = true
          errors.error(error)
        }
      })
    })
    parts.push(form)
  }
  parts.push(tr(h('h3', {}), 'pack.listTitle'), packTable(detail.packs))
  return parts
}
