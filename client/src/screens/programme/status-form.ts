// Changing a milestone's status, on its own screen and (compact) in the dashboard rows.
// Choosing "verschoven" asks for the newly agreed date, the reason and with whom it was agreed.
import { programme } from '../../api'
import type { MilestoneDetail } from '../../api/programme'
import { t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy } from '../../ui/widgets'
import { dueField, formErrors, formField } from './form'
import { nextStatuses, statusText } from './labels'

export function statusForm(
  milestone: { id: number; title: string; status: string },
  options: { compact: boolean; onChanged(detail: MilestoneDetail): void },
): HTMLElement {
  const prefix = `${options.compact ? 'row' : 'detail'}-${milestone.id}`
  const choices = nextStatuses(milestone.status)
  if (choices.length === 0) return tr(h('p', { class: 'muted', 'data-final': 'true' }), 'pm.status.final')
  const select = h('select', { id: `${prefix}-status`, name: 'status' })
  select.append(tr(h('option', { value: '' }), 'pm.status.choose'))
  for (const status of choices) select.append(h('option', { value: status }, statusText(status)))
  const status = formField(options.compact ? 'pm.status.newShort' : 'pm.status.new', select)
  if (options.compact) {
    // one label per row: the milestone's title makes it unique for screen readers
    const label = status.element.querySelector('label')
    if (label) tr(label, 'pm.status.newFor', { title: milestone.title }).classList.add('visually-hidden')
  }
  const newDue = dueField(`${prefix}-new-due`, 'pm.status.newDue')
  const reason = formField('pm.status.reason', h('textarea', { id: `${prefix}-reason`, rows: 2 }))
  const agreedWith = formField('pm.status.agreedWith', h('input', { type: 'text', id: `${prefix}-agreed-with`, autocomplete: 'off' }), 'pm.status.agreedWithHint')
  const reschedule = h('fieldset', { class: 'reschedule', id: `${prefix}-reschedule` }, tr(h('legend', {}), 'pm.status.rescheduleLegend'), newDue.element, reason.element, agreedWith.element)
  reschedule.hidden = true
  const submit = tr(h('button', { type: 'submit', class: options.compact ? 'button-quiet' : 'button-primary' }), 'pm.status.submit')
  if (options.compact) trAttr(submit, 'aria-label', 'pm.status.submitFor', { title: milestone.title })
  const errors = formErrors({ status, new_due: newDue, reason, agreed_with: agreedWith })
  const form = h(
    'form',
    { class: options.compact ? 'status-form status-form-compact' : 'status-form stack', novalidate: true, 'data-milestone': String(milestone.id) },
    errors.box,
    status.element,
    reschedule,
    h('div', { class: 'actions' }, submit),
  )
  select.addEventListener('change', () => {
    reschedule.hidden = select.value !== 'verschoven'
    if (!reschedule.hidden) newDue.control.focus()
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    const to = select.value
    if (!to) {
      errors.at('status', t('pm.status.chooseFirst'))
      return
    }
    const input: { status: string; reason?: string; new_due?: string; agreed_with?: string } = { status: to }
    const reasonText = reason.control.value.trim()
    if (reasonText) input.reason = reasonText
    if (to === 'verschoven') {
      const due = newDue.control.value.trim()
      if (!due) {
        errors.at('new_due', t('pm.status.newDueNeeded'))
        return
      }
      if (!reasonText) {
        errors.at('reason', t('pm.status.reasonNeeded'))
        return
      }
      input.new_due = due
      const agreed = agreedWith.control.value.trim()
      if (agreed) input.agreed_with = agreed
    }
    void busy(submit, async () => {
      try {
        const detail = await programme.changeStatus(milestone.id, input)
        announce(to === 'verschoven' ? t('pm.status.rescheduled', { title: detail.title, due: detail.due.raw }) : t('pm.status.changed', { title: detail.title, status: statusText(to) }))
        options.onChanged(detail)
      } catch (error) {
        errors.show(error)
      }
    })
  })
  return form
}
