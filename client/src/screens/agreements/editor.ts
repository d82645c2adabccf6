// Creating and changing role agreements (chair, secretariat): a new agreement for a topic with
// each party's role and responsibility text, changing one party's row (which re-opens only
// that party's sign-off), adding and removing a party, changing the topic text.
import { agreements, type AgreementRole, type Body, type Draft, type RoleAgreement } from '../../api'
import type { Changed } from '../../api/agreements'
import { t, tr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { fieldError, invalidField, invalidMessage, type FieldError } from '../../ui/field-error'
import { busy, messageBox, partyChip } from '../../ui/widgets'

export const ROLE_KEYS: Record<AgreementRole, MessageKey> = {
  trekker: 'agreement.trekker',
  medeverantwoordelijk: 'agreement.medeverantwoordelijk',
  geconsulteerd: 'agreement.geconsulteerd',
  'geïnformeerd': 'agreement.geinformeerd',
}

function roleSelect(id: string, value: AgreementRole | '', withNone: boolean): HTMLSelectElement {
  const select = h('select', { id })
  if (withNone) select.append(tr(h('option', { value: '' }), 'agreementEdit.noRole'))
  for (const role of agreements.ROLES) {
    const option = tr(h('option', { value: role }), ROLE_KEYS[role])
    if (role === value) option.selected = true
    select.append(option)
  }
  return select
}

/** Announces what a change did to the sign-offs ("FMS must agree again"). */
export function announceChange(changed: Changed): void {
  const reopened = changed.reopened
  announce(reopened.length ? t('agreementEdit.reopened', { parties: reopened.join(', ') }) : t('agreementEdit.savedNoReopen'))
}

/** Shows a 422 at the control it names, or in the form's error box. */
function showError(error: unknown, fields: Record<string, [HTMLElement, FieldError]>, box: ReturnType<typeof messageBox>): void {
  const name = invalidField(error)
  const target = name ? fields[name] : undefined
  if (target) {
    target[1].show(invalidMessage(error))
    target[0].focus()
  } else box.error(error)
}

/** The form to create an agreement. */
export function createAgreementForm(bodyId: number, body: Body, draftList: Draft[], onCreated: (agreement: RoleAgreement) => void): HTMLElement {
  const errors = messageBox()
  const title = h('input', { type: 'text', id: 'new-agreement-title', autocomplete: 'off', maxlength: 300, required: true })
  const description = h('textarea', { id: 'new-agreement-description', rows: 3 })
  const draft = h('select', { id: 'new-agreement-draft' })
  draft.append(tr(h('option', { value: '' }), 'agreementEdit.noDraft'))
  for (const d of draftList) draft.append(h('option', { value: String(d.id) }, d.title))
  const titleError = fieldError(title)
  const descriptionError = fieldError(description)
  title.addEventListener('input', () => titleError.clear())
  const partiesError = h('p', { class: 'field-error', id: 'new-agreement-parties-error' })
  partiesError.hidden = true
  const rows = body.parties.map((p) => {
    const role = roleSelect(`new-agreement-role-${p.code}`, '', true)
    const text = h('textarea', { id: `new-agreement-responsibility-${p.code}`, rows: 2, class: 'responsibility-input' })
    const roleLabel = tr(h('label', { for: role.id, class: 'visually-hidden' }), 'agreementEdit.roleOf', { party: p.code })
    const textLabel = tr(h('label', { for: text.id, class: 'visually-hidden' }), 'agreementEdit.responsibilityOf', { party: p.code })
    return {
      code: p.code,
      role,
      text,
      element: h('tr', { 'data-party': p.code }, h('th', { scope: 'row' }, partyChip(p.code)), h('td', {}, roleLabel, role), h('td', {}, textLabel, text)),
    }
  })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'new-agreement-submit' }), 'agreementEdit.create')
  const form = h(
    'form',
    { novalidate: true, class: 'stack', id: 'new-agreement-form' },
    errors.element,
    h('div', { class: 'field' }, tr(h('label', { for: title.id }), 'agreementEdit.title'), title, titleError.element),
    h('div', { class: 'field' }, tr(h('label', { for: description.id }), 'agreementEdit.description'), description, descriptionError.element),
    h('div', { class: 'field' }, tr(h('label', { for: draft.id }), 'agreementEdit.draft'), draft),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table matrix', id: 'new-agreement-matrix', 'aria-describedby': 'new-agreement-matrix-hint' },
        tr(h('caption', {}), 'agreementEdit.matrixCaption'),
        h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), 'admin.party'), tr(h('th', { scope: 'col' }), 'admin.role'), tr(h('th', { scope: 'col' }), 'agreementEdit.responsibility'))),
        h('tbody', {}, ...rows.map((r) => r.element)),
      ),
    ),
    tr(h('p', { class: 'hint', id: 'new-agreement-matrix-hint' }), 'agreementEdit.matrixHint'),
    partiesError,
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    titleError.clear()
    descriptionError.clear()
    partiesError.hidden = true
    if (!title.value.trim()) {
      titleError.showKey('error.required', { field: t('agreementEdit.title') })
      title.focus()
      return
    }
    const parties = rows
      .filter((r) => r.role.value)
      .map((r) => ({ party: r.code, role: r.role.value as AgreementRole, ...(r.text.value.trim() ? { responsibility: r.text.value.trim() } : {}) }))
    void busy(submit, async () => {
      try {
        const created = await agreements.create(bodyId, {
          title: title.value.trim(),
          description: description.value.trim(),
          draft_id: draft.value ? Number(draft.value) : null,
          parties,
        })
        announce(t('agreementEdit.created', { title: created.title }))
        form.reset()
        onCreated(created)
      } catch (error) {
        if (invalidField(error) === 'parties') {
          partiesError.textContent = invalidMessage(error)
          partiesError.hidden = false
          rows[0]?.role.focus()
        } else showError(error, { title: [title, titleError], description: [description, descriptionError] }, errors)
      }
    })
  })
  return h('details', { class: 'create-agreement', id: 'create-agreement' }, tr(h('summary', {}), 'agreementEdit.new'), form)
}

/** Opens a dialog to change one party's row (role and responsibility text), or to add one. */
export function openRowDialog(
  agreement: RoleAgreement,
  row: { code: string; role: AgreementRole; responsibility: string } | null,
  candidates: string[],
  opener: HTMLElement,
  onChanged: (changed: Changed) => void,
): void {
  document.getElementById('agreement-row-dialog')?.remove()
  const dialog = h('dialog', { class: 'dialog', id: 'agreement-row-dialog', 'aria-labelledby': 'agreement-row-heading' })
  const errors = messageBox()
  const party = h('select', { id: 'agreement-row-party' })
  for (const code of row ? [row.code] : candidates) party.append(h('option', { value: code }, code))
  const role = roleSelect('agreement-row-role', row?.role ?? 'geconsulteerd', false)
  const text = h('textarea', { id: 'agreement-row-responsibility', rows: 4 }, row?.responsibility ?? '')
  const textError = fieldError(text)
  const roleError = fieldError(role)
  const hint = tr(h('p', { class: 'hint', id: 'agreement-row-hint' }), row ? 'agreementEdit.rowHint' : 'agreementEdit.addHint', { party: row?.code ?? '' })
  const save = tr(h('button', { type: 'submit', class: 'button-primary', id: 'agreement-row-save' }), 'common.save')
  const cancel = tr(h('button', { type: 'button', class: 'button-quiet' }), 'common.cancel')
  const remove = row ? tr(h('button', { type: 'button', class: 'button-quiet button-danger', id: 'agreement-row-remove' }), 'agreementEdit.remove', { party: row.code }) : null
  const form = h(
    'form',
    { method: 'dialog', novalidate: true, class: 'stack' },
    tr(h('h2', { id: 'agreement-row-heading' }), row ? 'agreementEdit.rowTitle' : 'agreementEdit.addTitle', { party: row?.code ?? '', title: agreement.title }),
    hint,
    errors.element,
    row ? null : h('div', { class: 'field' }, tr(h('label', { for: party.id }), 'admin.party'), party),
    h('div', { class: 'field' }, tr(h('label', { for: role.id }), 'admin.role'), role, roleError.element),
    h('div', { class: 'field' }, tr(h('label', { for: text.id }), 'agreementEdit.responsibility'), text, textError.element),
    h('div', { class: 'actions' }, save, cancel, remove),
  )
  role.setAttribute('aria-describedby', hint.id)
  dialog.append(form)
  document.body.append(dialog)
  dialog.addEventListener('close', () => {
    dialog.remove()
    if (opener.isConnected) opener.focus()
  })
  cancel.addEventListener('click', () => dialog.close())
  const done = (changed: Changed): void => {
    dialog.close()
    announceChange(changed)
    onChanged(changed)
  }
  remove?.addEventListener('click', () => {
    if (!row) return
    void busy(remove, async () => {
      try {
        done(await agreements.removeParty(agreement.id, row.code))
      } catch (error) {
        errors.error(error)
      }
    })
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    textError.clear()
    roleError.clear()
    void busy(save, async () => {
      try {
        done(await agreements.setParty(agreement.id, party.value, { role: role.value as AgreementRole, responsibility: text.value.trim() }))
      } catch (error) {
        showError(error, { responsibility: [text, textError], role: [role, roleError] }, errors)
      }
    })
  })
  dialog.showModal()
  ;(row ? role : party).focus()
}

/** A small form to change the agreement's title and description (re-opens every sign-off). */
export function topicForm(agreement: RoleAgreement, onChanged: (changed: Changed) => void): HTMLElement {
  const errors = messageBox()
  const title = h('input', { type: 'text', id: `agreement-${agreement.id}-title`, value: agreement.title, maxlength: 300 })
  const description = h('textarea', { id: `agreement-${agreement.id}-description`, rows: 3 }, agreement.description)
  const titleError = fieldError(title)
  const descriptionError = fieldError(description)
  const save = tr(h('button', { type: 'submit', class: 'button-primary' }), 'agreementEdit.saveTopic')
  const form = h(
    'form',
    { novalidate: true, class: 'stack' },
    tr(h('p', { class: 'hint' }), 'agreementEdit.topicHint'),
    errors.element,
    h('div', { class: 'field' }, tr(h('label', { for: title.id }), 'agreementEdit.title'), title, titleError.element),
    h('div', { class: 'field' }, tr(h('label', { for: description.id }), 'agreementEdit.description'), description, descriptionError.element),
    h('div', { class: 'actions' }, save),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    titleError.clear()
    descriptionError.clear()
    if (!title.value.trim()) {
      titleError.showKey('error.required', { field: t('agreementEdit.title') })
      title.focus()
      return
    }
    void busy(save, async () => {
      try {
        const changed = await agreements.update(agreement.id, { title: title.value.trim(), description: description.value.trim() })
        announceChange(changed)
        onChanged(changed)
      } catch (error) {
        showError(error, { title: [title, titleError], description: [description, descriptionError] }, errors)
      }
    })
  })
  return h('details', { class: 'agreement-topic-edit' }, tr(h('summary', {}), 'agreementEdit.topic'), form)
}
