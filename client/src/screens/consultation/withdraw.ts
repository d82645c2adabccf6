// Withdrawing a consultation (chair and secretariat): a button that opens a confirmation step
// with an optional note for the invitees; Escape or "Annuleren" closes it again. A withdrawn
// consultation shows that it was withdrawn instead.
import { consent } from '../../api'
import type { Consultation } from '../../api/consent'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox, section } from '../../ui/widgets'
import { canWithdraw } from './rules'

/** Longest note the server takes with a withdrawal. */
export const WITHDRAW_NOTE_MAX = 2000

export function withdrawSection(c: Consultation, canSteer: boolean, reload: () => Promise<void>): HTMLElement | null {
  if (c.status === 'ingetrokken') {
    return section('withdraw', 'consultation.withdrawTitle', tr(h('p', { class: 'alert', role: 'status', id: 'consultation-withdrawn', tabindex: -1 }), 'consultation.withdrawnManage'))
  }
  if (!canWithdraw(c.status, canSteer)) return null
  const open = tr(h('button', { type: 'button', class: 'button-quiet', id: 'withdraw-open', 'aria-expanded': 'false', 'aria-controls': 'withdraw-confirm' }), 'consultation.withdraw')
  const note = h('textarea', { id: 'withdraw-note', rows: 3, maxlength: WITHDRAW_NOTE_MAX, 'aria-describedby': 'withdraw-warning' })
  const ok = tr(h('button', { type: 'submit', class: 'button-primary', id: 'withdraw-submit' }), 'consultation.withdrawConfirm')
  const cancel = tr(h('button', { type: 'button', class: 'button-quiet', id: 'withdraw-cancel' }), 'common.cancel')
  const errors = messageBox()
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id: 'withdraw-confirm', role: 'group', 'aria-labelledby': 'withdraw-confirm-title', hidden: true },
    tr(h('h3', { id: 'withdraw-confirm-title' }), 'consultation.withdrawConfirmTitle', { title: c.title }),
    tr(h('p', { id: 'withdraw-warning' }), 'consultation.withdrawWarning'),
    errors.element,
    h('div', { class: 'field' }, tr(h('label', { for: note.id }), 'consultation.withdrawNote'), note),
    h('div', { class: 'actions' }, ok, cancel),
  )
  const show = (visible: boolean): void => {
    form.hidden = !visible
    open.setAttribute('aria-expanded', String(visible))
    if (visible) note.focus()
    else open.focus()
  }
  open.addEventListener('click', () => show(form.hidden !== false))
  cancel.addEventListener('click', () => show(false))
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      show(false)
    }
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    void busy(ok, async () => {
      try {
        const text = note.value.trim()
        await consent.withdrawConsultation(c.id, text ? { note: text } : {})
        announce(t('consultation.withdrawDone'))
        await reload()
        document.getElementById('consultation-withdrawn')?.focus()
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return section('withdraw', 'consultation.withdrawTitle', tr(h('p', { class: 'hint' }), 'consultation.withdrawIntro'), h('p', {}, open), form)
}
