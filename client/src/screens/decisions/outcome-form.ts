// "Besluit vastleggen": the outcome (a radio group; "akkoord onder voorwaarden" asks for the
// conditions), the day, the meeting, the rationale, follow-up milestones (rows of title, due
// text and owner party, added and removed), a dispute the decision closes and one it opens.
import { decisions, directory, governance, meetings } from '../../api'
import { OUTCOMES, type DecisionRequest, type FollowUpInput, type Outcome, type OutcomeInput } from '../../api/decisions'
import { formatDay, t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy } from '../../ui/widgets'
import { formErrors, formField, type FormField } from '../programme/form'
import { OUTCOME_KEYS } from '../meetings/labels'
import { timeOf, todayInAmsterdam } from '../meetings/month'

let rowCounter = 0

interface Row {
  element: HTMLElement
  title: FormField
  due: FormField
  owner: HTMLSelectElement
}

export function outcomeForm(request: DecisionRequest, done: () => Promise<void>): HTMLElement {
  const name = `outcome-${request.id}`
  const radios = OUTCOMES.map((outcome, i) => {
    const input = h('input', { type: 'radio', name, value: outcome, id: `${name}-${outcome}` })
    if (i === 0) input.checked = true
    return { outcome, input, element: h('div', { class: 'field field-check' }, input, tr(h('label', { for: input.id }), OUTCOME_KEYS[outcome] ?? 'outcome.akkoord')) }
  })
  const outcomeError = h('p', { class: 'field-error', id: `${name}-error` })
  outcomeError.hidden = true
  const outcomeSet = h('fieldset', { id: `${name}-set`, class: 'outcome-set' }, tr(h('legend', {}), 'outcomeForm.outcome'), outcomeError, ...radios.map((r) => r.element))
  const picked = (): Outcome => (radios.find((r) => r.input.checked)?.outcome ?? 'akkoord') as Outcome
  const conditions = formField('outcomeForm.conditions', h('textarea', { id: 'outcome-conditions', rows: 3, required: true }), 'outcomeForm.conditionsHint')
  const showConditions = (): void => {
    conditions.element.hidden = picked() !== 'akkoord_onder_voorwaarden'
  }
  for (const r of radios) r.input.addEventListener('change', showConditions)
  showConditions()

  const decidedOn = formField('outcomeForm.date', h('input', { type: 'date', id: 'outcome-date', required: true }))
  decidedOn.control.value = todayInAmsterdam()
  const meetingSelect = h('select', { id: 'outcome-meeting' })
  meetingSelect.append(tr(h('option', { value: '' }), 'outcomeForm.noMeeting'))
  const meeting = formField('outcomeForm.meeting', meetingSelect)
  void meetings.ofBody(request.body_id).then((list) => {
    for (const m of list.filter((x) => x.status !== 'geannuleerd')) meetingSelect.append(h('option', { value: String(m.id) }, `${formatDay(m.starts.slice(0, 10))} ${timeOf(m.starts)} — ${m.title}`))
    if (request.meeting_id !== null) meetingSelect.value = String(request.meeting_id)
  }).catch(() => undefined)
  const rationale = formField('outcomeForm.rationale', h('textarea', { id: 'outcome-rationale', rows: 4 }))
  const topic = formField('outcomeForm.topic', h('input', { type: 'text', id: 'outcome-topic', autocomplete: 'off' }), 'outcomeForm.topicHint')

  // follow-up milestones: repeatable rows
  let partyCodes: string[] = []
  const rows: Row[] = []
  const rowList = h('div', { id: 'follow-up-rows' })
  const addRow = (): Row => {
    const n = ++rowCounter
    const title = formField('outcomeForm.followTitle', h('input', { type: 'text', id: `follow-${n}-title`, autocomplete: 'off' }))
    const due = formField('outcomeForm.followDue', h('input', { type: 'text', id: `follow-${n}-due`, autocomplete: 'off' }), 'outcomeForm.followDueHint')
    const owner = h('select', { id: `follow-${n}-owner` })
    owner.append(tr(h('option', { value: '' }), 'outcomeForm.followNoOwner'), ...partyCodes.map((code) => h('option', { value: code }, code)))
    const ownerField = formField('outcomeForm.followOwner', owner)
    const remove = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'outcomeForm.followRemove'), 'aria-label', 'outcomeForm.followRemoveLabel', { n: rows.length + 1 })
    const element = h('div', { class: 'follow-up-row', 'data-row': String(n), role: 'group' }, title.element, due.element, ownerField.element, remove)
    trAttr(element, 'aria-label', 'outcomeForm.followRow', { n: rows.length + 1 })
    const row = { element, title, due, owner }
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1)
      element.remove()
      addButton.focus()
      announce(t('outcomeForm.followRemoved'))
    })
    rows.push(row)
    rowList.append(element)
    return row
  }
  const addButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'add-follow-up' }), 'outcomeForm.followAdd')
  addButton.addEventListener('click', () => {
    if (rows.length >= 20) return
    addRow().title.control.focus()
  })
  void directory.listParties().then((parties) => {
    partyCodes = parties.map((p) => p.code).sort()
    for (const row of rows) if (row.owner.options.length <= 1) row.owner.append(...partyCodes.map((code) => h('option', { value: code }, code)))
  }).catch(() => undefined)
  const followUps = h('fieldset', { id: 'follow-ups' }, tr(h('legend', {}), 'outcomeForm.followUps'), tr(h('p', { class: 'hint' }), 'outcomeForm.followUpsHint'), rowList, addButton)

  const disputeSelect = h('select', { id: 'outcome-dispute' })
  disputeSelect.append(tr(h('option', { value: '' }), 'outcomeForm.noDispute'))
  const dispute = formField('outcomeForm.closeDispute', disputeSelect)
  void governance.disputes(request.body_id).then((list) => {
    for (const d of list.filter((x) => x.status === 'in_behandeling' || x.status === 'geescaleerd')) disputeSelect.append(h('option', { value: String(d.id) }, d.title))
  }).catch(() => undefined)

  // a dispute the decision opens: the raising party, the other party and the statement
  const openCheck = h('input', { type: 'checkbox', id: 'outcome-open-dispute' })
  const raising = h('select', { id: 'open-dispute-raising' })
  const other = h('select', { id: 'open-dispute-other' })
  other.append(tr(h('option', { value: '' }), 'outcomeForm.followNoOwner'))
  const raisingField = formField('outcomeForm.openRaising', raising)
  const otherField = formField('outcomeForm.openOther', other)
  const statement = formField('outcomeForm.openStatement', h('textarea', { id: 'open-dispute-statement', rows: 3 }))
  const openDetails = h('div', { class: 'stack', id: 'open-dispute-details' }, h('div', { class: 'grid-form' }, raisingField.element, otherField.element), statement.element)
  const showOpen = (): void => {
    openDetails.hidden = !openCheck.checked
  }
  openCheck.addEventListener('change', showOpen)
  showOpen()
  void directory.listParties().then((parties) => {
    const codes = parties.map((p) => p.code).sort()
    raising.append(...codes.map((code) => h('option', { value: code }, code)))
    other.append(...codes.map((code) => h('option', { value: code }, code)))
  }).catch(() => undefined)
  const openSet = h('fieldset', { id: 'open-dispute' }, tr(h('legend', {}), 'outcomeForm.openDispute'), tr(h('p', { class: 'hint' }), 'outcomeForm.openDisputeHint'), h('div', { class: 'field field-check' }, openCheck, tr(h('label', { for: openCheck.id }), 'outcomeForm.openDisputeCheck')), openDetails)

  const errors = formErrors({
    outcome: {
      showError(text) {
        outcomeError.textContent = text
        outcomeError.hidden = false
        outcomeSet.setAttribute('aria-describedby', outcomeError.id)
      },
      clearError() {
        outcomeError.hidden = true
        outcomeSet.removeAttribute('aria-describedby')
      },
      focus() {
        radios.find((r) => r.input.checked)?.input.focus()
      },
    },
    conditions,
    decided_on: decidedOn,
    meeting_id: meeting,
    rationale,
    topic,
    close_dispute_id: dispute,
    open_dispute: statement,
    follow_ups: { showError: (text) => errors.box.replaceChildren(h('p', {}, text)), clearError: () => undefined, focus: () => addButton.focus() },
  })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'record-outcome' }), 'outcomeForm.submit')
  const form = h('form', { class: 'stack', novalidate: true, id: 'outcome-form' }, errors.box, outcomeSet, conditions.element, h('div', { class: 'grid-form' }, decidedOn.element, meeting.element), rationale.element, topic.element, followUps, dispute.element, openSet, h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    for (const row of rows) {
      row.title.clearError()
      row.due.clearError()
    }
    const outcome = picked()
    const conditionsText = conditions.control.value.trim()
    if (outcome === 'akkoord_onder_voorwaarden' && !conditionsText) return errors.at('conditions', t('outcomeForm.conditionsNeeded'))
    if (!/^\d{4}-\d{2}-\d{2}$/.test(decidedOn.control.value)) return errors.at('decided_on', t('outcomeForm.dateNeeded'))
    const follow: FollowUpInput[] = []
    for (const row of rows) {
      const titleText = row.title.control.value.trim()
      const dueText = row.due.control.value.trim()
      if (!titleText && !dueText && !row.owner.value) continue
      if (!titleText) {
        row.title.showError(t('pm.required'))
        row.title.control.focus()
        return
      }
      if (!dueText) {
        row.due.showError(t('pm.ms.dueNeeded'))
        row.due.control.focus()
        return
      }
      follow.push({ title: titleText, due: dueText, owners: row.owner.value ? [{ party: row.owner.value, role: 'lead' }] : [] })
    }
    const input: OutcomeInput = { outcome, decided_on: decidedOn.control.value, rationale: rationale.control.value.trim() }
    if (outcome === 'akkoord_onder_voorwaarden') input.conditions = conditionsText
    if (meetingSelect.value) input.meeting_id = Number(meetingSelect.value)
    if (topic.control.value.trim()) input.topic = topic.control.value.trim()
    if (follow.length) input.follow_ups = follow
    if (disputeSelect.value) input.close_dispute_id = Number(disputeSelect.value)
    if (openCheck.checked) {
      const statementText = statement.control.value.trim()
      if (!statementText) {
        statement.showError(t('outcomeForm.openStatementNeeded'))
        statement.control.focus()
        return
      }
      const parties = [raising.value, other.value].filter((code, i, all) => code !== '' && all.indexOf(code) === i)
      input.open_dispute = { parties, statement: statementText }
    }
    void busy(submit, async () => {
      try {
        await decisions.recordOutcome(request.id, input)
        announce(t('outcomeForm.recorded'))
        await done()
      } catch (error) {
        errors.show(error)
      }
    })
  })
  return form
}
