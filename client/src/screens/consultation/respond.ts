// The consultation for an invited organisation (a guest or an invited account): the version's
// text, the question and the closing date, the response form (a text, comments that may quote
// a passage selected in the text, one attachment) and what the organisation submitted. Before
// the opening day and after the closing day the form is replaced by a message saying so.
import { consent, type ComparedBlock } from '../../api'
import type { Consultation, ConsultationResponse } from '../../api/consent'
import { formatDay, t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox, section } from '../../ui/widgets'
import { blockElement } from '../draft/compare'
import { commentsToSend, sizeText } from './rules'
import { responseArticle } from './manage'

const MAX_COMMENTS = 50

/** The text selected inside `container`, or null. */
export function selectionIn(container: HTMLElement): string | null {
  const selection = window.getSelection()
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null
  const range = selection.getRangeAt(0)
  if (!container.contains(range.commonAncestorContainer)) return null
  const text = selection.toString().replace(/\s+/g, ' ').trim()
  return text || null
}

export async function respondView(consultation: Consultation, reload: () => Promise<void>): Promise<HTMLElement[]> {
  const c = consultation
  const text = h('article', { class: 'card consultation-text', id: 'consultation-text', 'aria-labelledby': 'consultation-text-title' })
  text.append(tr(h('h2', { id: 'consultation-text-title' }), 'consultation.textTitle', { version: c.version_name }))
  try {
    const served = await consent.consultationVersion(c.id)
    text.append(...(served.blocks as ComparedBlock[]).map(blockElement))
  } catch (error) {
    text.append(h('p', { class: 'alert alert-error', role: 'alert' }, error instanceof Error ? error.message : String(error)))
  }

  let mine: ConsultationResponse[] = []
  try {
    mine = await consent.responses(c.id)
  } catch {
    mine = []
  }
  const submitted = section(
    'my-response',
    'consultation.myResponse',
    ...(mine.length ? mine.map(responseArticle) : [tr(h('p', { class: 'muted' }), 'consultation.notYet')]),
  )

  let formPart: HTMLElement
  if (c.status === 'open') formPart = responseForm(c, text, mine.length > 0, reload)
  else {
    const key = c.status === 'aangekondigd' ? 'consultation.notOpenYet' : c.status === 'ingetrokken' ? 'consultation.withdrawn' : 'consultation.closedMessage'
    formPart = section('respond', 'consultation.respondTitle', tr(h('p', { class: 'alert', role: 'status', id: 'consultation-closed' }), key, { date: formatDay(c.status === 'aangekondigd' ? (c.opens_on ?? c.closes_on) : c.closes_on) }))
  }
  return [text, formPart, submitted]
}

function responseForm(c: Consultation, textArticle: HTMLElement, replacing: boolean, reload: () => Promise<void>): HTMLElement {
  const box = messageBox()
  const text = h('textarea', { id: 'response-text', rows: 6, maxlength: 20000, required: true })
  const comments = h('ol', { class: 'response-comment-inputs', id: 'response-comment-inputs' })
  let counter = 0
  const addComment = (): void => {
    if (comments.childElementCount >= MAX_COMMENTS) {
      box.text('consultation.tooManyComments', { max: MAX_COMMENTS })
      return
    }
    const n = ++counter
    const quote = h('textarea', { id: `comment-${n}-quote`, rows: 2, maxlength: 1000, class: 'comment-quote' })
    const body = h('textarea', { id: `comment-${n}-body`, rows: 3, maxlength: 4000, class: 'comment-body' })
    const take = tr(h('button', { type: 'button', class: 'button-quiet button-small', id: `comment-${n}-take` }), 'consultation.takeSelection')
    const remove = tr(h('button', { type: 'button', class: 'button-quiet button-small' }), 'consultation.removeComment', { n })
    const item = h(
      'li',
      { class: 'response-comment-input', 'data-comment': String(n) },
      h('fieldset', {}, tr(h('legend', {}), 'consultation.commentN', { n }),
        h('div', { class: 'field' }, tr(h('label', { for: quote.id }), 'consultation.commentQuote'), tr(h('p', { class: 'hint', id: `${quote.id}-hint` }), 'consultation.quoteHint'), quote, take),
        h('div', { class: 'field' }, tr(h('label', { for: body.id }), 'consultation.commentBody'), body),
        remove,
      ),
    )
    quote.setAttribute('aria-describedby', `${quote.id}-hint`)
    take.addEventListener('click', () => {
      const selected = selectionIn(textArticle)
      if (selected) {
        quote.value = selected.slice(0, 1000)
        announce(t('consent.quoteTaken'))
      } else announce(t('consultation.noSelection'))
      body.focus()
    })
    remove.addEventListener('click', () => {
      item.remove()
      addButton.focus()
    })
    comments.append(item)
    quote.focus()
  }
  const addButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'response-add-comment' }), 'consultation.addComment')
  addButton.addEventListener('click', addComment)
  // remember the selection when the pointer moves to the buttons (a click keeps it anyway)
  const file = h('input', { type: 'file', id: 'response-attachment', accept: consent.ATTACHMENT_ACCEPT })
  const fileHint = tr(h('p', { class: 'hint', id: 'response-attachment-hint' }), 'consultation.attachmentHint', { size: sizeText(consent.MAX_ATTACHMENT_BYTES) })
  file.setAttribute('aria-describedby', fileHint.id)
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'response-submit' }), 'consultation.submit')
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id: 'response-form' },
    replacing ? tr(h('p', { class: 'hint' }), 'consultation.replaces') : null,
    box.element,
    h('div', { class: 'field' }, tr(h('label', { for: text.id }), 'consultation.responseText'), text),
    h('div', { class: 'response-comments-part' }, tr(h('h3', {}), 'consultation.comments'), tr(h('p', { class: 'hint' }), 'consultation.commentsHint'), comments, addButton),
    h('div', { class: 'field' }, tr(h('label', { for: file.id }), 'consultation.attachmentLabel'), fileHint, file),
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    box.clear()
    if (!text.value.trim()) {
      box.text('error.required', { field: t('consultation.responseText') })
      text.setAttribute('aria-invalid', 'true')
      text.focus()
      return
    }
    text.removeAttribute('aria-invalid')
    const attachment = file.files?.[0] ?? null
    if (attachment && attachment.size > consent.MAX_ATTACHMENT_BYTES) {
      box.text('consultation.attachmentTooLarge', { size: sizeText(consent.MAX_ATTACHMENT_BYTES) })
      file.focus()
      return
    }
    const { comments: list, missing } = commentsToSend(
      [...comments.querySelectorAll<HTMLElement>('.response-comment-input')].map((item) => ({
        quote: item.querySelector<HTMLTextAreaElement>('.comment-quote')?.value ?? '',
        body: item.querySelector<HTMLTextAreaElement>('.comment-body')?.value ?? '',
      })),
    )
    if (missing) {
      box.text('consultation.commentNeedsBody', { n: missing })
      return
    }
    void busy(submit, async () => {
      try {
        await consent.respond(c.id, { text: text.value.trim(), comments: list, attachment })
        announce(t('consultation.responded'))
        await reload()
        document.getElementById('my-response-title')?.setAttribute('tabindex', '-1')
        document.getElementById('my-response-title')?.focus()
      } catch (error) {
        box.error(error)
      }
    })
  })
  return section(
    'respond',
    'consultation.respondTitle',
    tr(h('p', { class: 'lead' }), 'consultation.closesOnText', { date: formatDay(c.closes_on) }),
    form,
  )
}
