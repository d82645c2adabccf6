// "Geschil melden": a button that opens a dialog to raise a dispute about a draft passage, a
// role agreement or a milestone — title, description, the other parties involved and the
// options proposed with it — and then goes to the new dispute. Mount it wherever a subject is
// shown: raiseDisputeButton(app, bodyId, { kind, id, title, passage? }).
import { directory, disputes, type Body } from '../api'
import type { App } from '../app'
import { t, tr, trAttr } from '../i18n'
import { announce } from './announce'
import { h } from './dom'
import { fieldError, invalidField, invalidMessage, type FieldError } from './field-error'
import { busy, messageBox, partyChip } from './widgets'

export interface DisputeSubject {
  kind: 'draft' | 'role_agreement' | 'milestone'
  id: number
  /** Shown in the dialog ("about: …"). */
  title: string
  /** For a draft: the selected text, read when the dialog opens (null: nothing selected). */
  passage?: () => string | null
  /** For a role-agreement row: the party whose row is at issue (preselected, named in the title). */
  party?: string
}

const KIND = { draft: 'draft_passage', role_agreement: 'role_agreement', milestone: 'milestone' } as const
const MAX_PASSAGE = 5000
let dialogCounter = 0

/** The body's parties (cached per body for the page's life). */
const bodies = new Map<number, Promise<Body>>()
function bodyOf(bodyId: number): Promise<Body> {
  let found = bodies.get(bodyId)
  if (!found) {
    found = directory.getBody(bodyId)
    found.catch(() => bodies.delete(bodyId))
    bodies.set(bodyId, found)
  }
  return found
}

function optionRow(prefix: string, index: number): { element: HTMLElement; title: HTMLInputElement; description: HTMLTextAreaElement } {
  const title = h('input', { type: 'text', id: `${prefix}-option-${index}-title`, autocomplete: 'off', maxlength: 200, class: 'option-title' })
  const description = h('textarea', { id: `${prefix}-option-${index}-description`, rows: 2, class: 'option-description' })
  const element = h(
    'fieldset',
    { class: 'dispute-option-row' },
    tr(h('legend', {}), 'raiseDispute.optionN', { n: index }),
    h('div', { class: 'field' }, tr(h('label', { for: title.id }), 'raiseDispute.optionTitle'), title),
    h('div', { class: 'field' }, tr(h('label', { for: description.id }), 'raiseDispute.optionDescription'), description),
  )
  return { element, title, description }
}

/** Opens the dialog for `subject`; resolves when it closes. */
export async function openRaiseDispute(app: App, bodyId: number, subject: DisputeSubject, opener?: HTMLElement): Promise<void> {
  const prefix = `raise-dispute-${++dialogCounter}`
  const passage = subject.passage?.()?.trim().slice(0, MAX_PASSAGE) || null
  const dialog = h('dialog', { class: 'dialog dialog-wide raise-dispute-dialog', 'aria-labelledby': `${prefix}-heading`, id: 'raise-dispute-dialog' })
  document.getElementById('raise-dispute-dialog')?.remove()
  document.body.append(dialog)

  const errors = messageBox()
  const titleInput = h('input', { type: 'text', id: `${prefix}-title`, autocomplete: 'off', maxlength: 200, required: true })
  const description = h('textarea', { id: `${prefix}-description`, rows: 4, required: true })
  const titleError = fieldError(titleInput)
  const descriptionError = fieldError(description)
  const partyBox = h('div', { class: 'party-checks', id: `${prefix}-parties` }, tr(h('p', { class: 'muted' }), 'app.loading'))
  const partiesLegend = tr(h('legend', {}), 'raiseDispute.parties')
  const partiesError = h('p', { class: 'field-error', id: `${prefix}-parties-error` })
  partiesError.hidden = true
  const partiesHint = tr(h('p', { class: 'hint', id: `${prefix}-parties-hint` }), 'raiseDispute.partiesHint', { party: app.me?.party ?? '—' })
  const partiesSet = h('fieldset', { 'aria-describedby': partiesHint.id }, partiesLegend, partiesHint, partyBox, partiesError)
  const options: ReturnType<typeof optionRow>[] = [optionRow(prefix, 1)]
  const optionList = h('div', { class: 'dispute-options' }, ...options.map((o) => o.element))
  const addOption = tr(h('button', { type: 'button', class: 'button-quiet', id: `${prefix}-add-option` }), 'raiseDispute.addOption')
  addOption.addEventListener('click', () => {
    const row = optionRow(prefix, options.length + 1)
    options.push(row)
    optionList.append(row.element)
    row.title.focus()
  })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'raise-dispute-submit' }), 'raiseDispute.submit')
  const cancel = tr(h('button', { type: 'button', class: 'button-quiet' }), 'common.cancel')

  const about = subject.party
    ? tr(h('p', { class: 'lead' }), 'raiseDispute.about_row', { title: subject.title, party: subject.party })
    : tr(h('p', { class: 'lead' }), `raiseDispute.about_${subject.kind}`, { title: subject.title })
  if (subject.party) titleInput.value = t('raiseDispute.rowTitle', { party: subject.party })
  const passageBlock =
    subject.kind === 'draft'
      ? passage
        ? h('figure', { class: 'dispute-passage' }, tr(h('figcaption', {}), 'raiseDispute.passage'), h('blockquote', { class: 'position-text', id: `${prefix}-passage` }, passage))
        : tr(h('p', { class: 'hint' }), 'raiseDispute.noPassage')
      : null

  const form = h(
    'form',
    { method: 'dialog', novalidate: true, class: 'stack' },
    tr(h('h2', { id: `${prefix}-heading` }), 'raiseDispute.title'),
    about,
    passageBlock,
    errors.element,
    h('div', { class: 'field' }, tr(h('label', { for: titleInput.id }), 'raiseDispute.disputeTitle'), titleInput, titleError.element),
    h('div', { class: 'field' }, tr(h('label', { for: description.id }), 'raiseDispute.description'), description, descriptionError.element),
    partiesSet,
    h('div', {}, tr(h('h3', {}), 'raiseDispute.options'), tr(h('p', { class: 'hint' }), 'raiseDispute.optionsHint'), optionList, addOption),
    h('div', { class: 'actions' }, submit, cancel),
  )
  dialog.append(form)

  const close = (): void => {
    dialog.close()
  }
  cancel.addEventListener('click', close)
  const closed = new Promise<void>((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      opener?.focus()
      resolve()
    })
  })

  void bodyOf(bodyId)
    .then((body) => {
      const others = body.parties.filter((p) => p.code !== app.me?.party)
      partyBox.replaceChildren(
        ...others.map((p) => {
          const input = h('input', { type: 'checkbox', id: `${prefix}-party-${p.code}`, value: p.code, name: `${prefix}-party` })
          if (p.code === subject.party) input.checked = true
          return h('div', { class: 'field-check' }, input, h('label', { for: input.id }, partyChip(p.code), p.participation === 'informed' ? tr(h('span', { class: 'muted' }), 'raiseDispute.informed') : null))
        }),
      )
    })
    .catch(() => partyBox.replaceChildren(tr(h('p', { class: 'muted' }), 'raiseDispute.noParties')))

  const fieldErrors: Record<string, FieldError> = { title: titleError, description: descriptionError }
  titleInput.addEventListener('input', () => titleError.clear())
  description.addEventListener('input', () => descriptionError.clear())
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    titleError.clear()
    descriptionError.clear()
    partiesError.hidden = true
    let firstInvalid: HTMLElement | null = null
    if (!titleInput.value.trim()) {
      titleError.showKey('error.required', { field: t('raiseDispute.disputeTitle') })
      firstInvalid = titleInput
    }
    if (!description.value.trim()) {
      descriptionError.showKey('error.required', { field: t('raiseDispute.description') })
      firstInvalid ??= description
    }
    if (firstInvalid) {
      firstInvalid.focus()
      return
    }
    const parties = [...partyBox.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value)
    const proposed = options.map((o) => ({ title: o.title.value.trim(), description: o.description.value.trim() })).filter((o) => o.title || o.description)
    const untitled = proposed.findIndex((o) => !o.title)
    if (untitled >= 0) {
      const row = options.filter((o) => o.title.value.trim() || o.description.value.trim())[untitled]
      if (row) {
        const rowError = fieldError(row.title)
        row.title.after(rowError.element)
        rowError.showKey('error.required', { field: t('raiseDispute.optionTitle') })
        row.title.focus()
        row.title.addEventListener('input', () => rowError.clear(), { once: true })
      }
      return
    }
    void busy(submit, async () => {
      try {
        const raised = await disputes.raise(bodyId, {
          subject_kind: KIND[subject.kind],
          subject_id: subject.id,
          title: titleInput.value.trim(),
          description: description.value.trim(),
          parties,
          ...(passage ? { passage } : {}),
          options: proposed,
        })
        announce(t('raiseDispute.done', { title: raised.title }))
        opener = undefined
        close()
        app.navigate(`/disputes/${raised.id}`)
      } catch (error) {
        const fieldName = invalidField(error)
        const target = fieldName ? fieldErrors[fieldName] : undefined
        if (target) {
          target.show(invalidMessage(error))
          ;(fieldName === 'title' ? titleInput : description).focus()
        } else if (fieldName === 'parties') {
          partiesError.textContent = invalidMessage(error)
          partiesError.hidden = false
          partiesSet.setAttribute('aria-describedby', `${partiesHint.id} ${partiesError.id}`)
        } else {
          errors.error(error)
        }
      }
    })
  })

  dialog.showModal()
  titleInput.focus()
  return closed
}

/** The "Geschil melden" button for one subject; opens the dialog. */
export function raiseDisputeButton(app: App, bodyId: number, subject: DisputeSubject): HTMLElement {
  const button = h('button', { type: 'button', class: 'button-quiet raise-dispute-button', 'data-subject': `${subject.kind}:${subject.id}` })
  button.append(h('span', { 'aria-hidden': 'true', class: 'icon' }, '⚑'), ' ', tr(h('span', {}), 'raiseDispute.open'))
  if (subject.party) {
    // one button per row: its name says which party's row it is about
    button.dataset.party = subject.party
    trAttr(button, 'aria-label', 'raiseDispute.openRow', { party: subject.party })
    trAttr(button, 'title', 'raiseDispute.openRow', { party: subject.party })
  } else {
    trAttr(button, 'title', `raiseDispute.openTitle_${subject.kind}`)
  }
  // keep the editor's text selection when the button is pressed with the mouse
  button.addEventListener('mousedown', (event) => event.preventDefault())
  button.addEventListener('click', () => void openRaiseDispute(app, bodyId, subject, button))
  return button
}
