// "Verwijderen" in the administration's people table: a modal dialog that says what removing a
// person erases and what stays, and removes them only when the administrator confirms.
// Keyboard: focus starts on "Annuleren", Escape cancels, focus returns to the opener.
import { directory, type Person } from '../api'
import { t, tr } from '../i18n'
import { announce } from './announce'
import { h } from './dom'
import { busy, messageBox } from './widgets'

/** How the record names a removed person (the server's pseudonym, always in Dutch). */
export const pseudonymOf = (person: Person): string => (person.party ? `voormalig lid, ${person.party}` : 'voormalig lid')

/** Opens the dialog for `person`; resolves `true` when they were removed. */
export function confirmRemovePerson(person: Person, opener: HTMLElement): Promise<boolean> {
  document.getElementById('remove-person-dialog')?.remove()
  const dialog = h('dialog', { class: 'dialog', id: 'remove-person-dialog', 'aria-labelledby': 'remove-person-heading', 'aria-describedby': 'remove-person-erased remove-person-kept remove-person-final' })
  const errors = messageBox()
  const params = { name: person.name, pseudonym: pseudonymOf(person) }
  const confirm = tr(h('button', { type: 'submit', class: 'button-primary', id: 'remove-person-confirm' }), 'admin.removePersonConfirm')
  const cancel = tr(h('button', { type: 'button', class: 'button-quiet', id: 'remove-person-cancel' }), 'common.cancel')
  const form = h(
    'form',
    { method: 'dialog', novalidate: true, class: 'stack' },
    tr(h('h2', { id: 'remove-person-heading' }), 'admin.removePersonTitle', params),
    tr(h('p', { id: 'remove-person-erased' }), 'admin.removePersonErased', params),
    tr(h('p', { id: 'remove-person-kept' }), 'admin.removePersonKept', params),
    tr(h('p', { id: 'remove-person-final', class: 'hint' }), 'admin.removePersonFinal'),
    errors.element,
    h('div', { class: 'actions' }, confirm, cancel),
  )
  dialog.append(form)
  document.body.append(dialog)
  let removed = false
  const closed = new Promise<boolean>((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      if (opener.isConnected) opener.focus()
      resolve(removed)
    })
  })
  cancel.addEventListener('click', () => dialog.close())
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    void busy(confirm, async () => {
      try {
        const answer = await directory.removePerson(person.id)
        removed = true
        announce(t('admin.personRemoved', { name: person.name, pseudonym: answer.pseudonym }))
        dialog.close()
      } catch (error) {
        errors.error(error)
      }
    })
  })
  dialog.showModal()
  cancel.focus()
  return closed
}
