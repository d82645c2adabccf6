// Creating (/groups/{id}/milestones/new) and editing (/milestones/{id}/edit) a milestone:
// title, description, owners with their lead, the due date as parties write it (its reading
// shown while typing), the action line, the source, and a link to an advice passage (draft and
// quote) or a decision. Changing the date of an existing milestone here is a correction of how
// it was recorded; a newly agreed date is a rescheduling, on the milestone's own screen.
import { directory, drafts, governance, programme, type ActionLine, type Draft, type Milestone } from '../../api'
import type { MilestoneDetail, OwnerInput } from '../../api/programme'
import type { App } from '../../app'
import { t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { busy, loading } from '../../ui/widgets'
import { dueField, formErrors, formField, ownersFieldset } from './form'

export function milestoneFormScreen(app: App, target: { bodyId: number } | { milestoneId: number }): Screen {
  const editing = 'milestoneId' in target
  const heading = editing ? 'pm.ms.editTitle' : 'pm.ms.newTitle'
  let title = t(heading)
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let existing: MilestoneDetail | null = null
      let bodyId: number
      let parties: { code: string; name: string }[]
      let lines: ActionLine[]
      let draftList: Draft[]
      let bodyName: string
      let siblings: Milestone[]
      try {
        if ('milestoneId' in target) existing = await programme.milestone(target.milestoneId)
        bodyId = existing ? existing.body_id : (target as { bodyId: number }).bodyId
        const [body, all, lineList, list, others] = await Promise.all([directory.getBody(bodyId), directory.listParties(), governance.allActionLines(bodyId), drafts.listDrafts(bodyId), programme.milestones(bodyId, {})])
        siblings = others.filter((m) => m.id !== existing?.id)
        const names = new Map(all.map((p) => [p.code, p.name]))
        parties = body.parties.map((p) => ({ code: p.code, name: names.get(p.code) ?? '' }))
        lines = lineList
        draftList = list
        bodyName = body.name
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), heading), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = `${t(heading)} — ${bodyName}`
      const name = formField('pm.ms.name', h('input', { type: 'text', id: 'ms-title', autocomplete: 'off', required: true, value: existing?.title ?? '' }))
      const description = formField('pm.ms.description', h('textarea', { id: 'ms-description', rows: 3 }))
      description.control.value = existing?.description ?? ''
      const due = dueField('ms-due', 'pm.ms.due', existing?.due.raw ?? '')
      const dueReason = formField('pm.ms.dueReason', h('input', { type: 'text', id: 'ms-due-reason', autocomplete: 'off' }), 'pm.ms.dueReasonHint')
      const lineSelect = h('select', { id: 'ms-action-line' })
      lineSelect.append(tr(h('option', { value: '' }), 'programme.noLine'))
      for (const line of lines) lineSelect.append(h('option', { value: String(line.id) }, line.number && !line.title.startsWith(line.number) ? `${line.number} ${line.title}` : line.title))
      lineSelect.value = existing?.action_line_id ? String(existing.action_line_id) : ''
      const actionLine = formField('pm.ms.actionLine', lineSelect)
      const source = formField('pm.ms.source', h('input', { type: 'text', id: 'ms-source', autocomplete: 'off', value: existing?.source_ref ?? '' }), 'pm.ms.sourceHint')
      const current: OwnerInput[] = (existing?.owners ?? []).map((o) => ({ party: o.code, role: o.role === 'lead' ? 'lead' : 'contributor' }))
      const owners = ownersFieldset('ms', parties, current)
      // start, "volgt na" with its lag, and recurrence
      const start = formField('pm.ms.start', h('input', { type: 'text', id: 'ms-start', autocomplete: 'off', value: existing?.start ?? '' }), 'pm.ms.startHint')
      const followsSelect = h('select', { id: 'ms-follows' })
      followsSelect.append(tr(h('option', { value: '' }), 'pm.ms.followsNone'))
      for (const m of siblings) followsSelect.append(h('option', { value: String(m.id) }, `${m.title} (${m.due.raw || t('milestone.noDate')})`))
      followsSelect.value = existing?.follows ? String(existing.follows) : ''
      const follows = formField('pm.ms.follows', followsSelect, 'pm.ms.followsHint')
      const lag = formField('pm.ms.lag', h('input', { type: 'number', id: 'ms-lag', inputmode: 'numeric', min: '-730', max: '730', step: '1', value: String(existing?.lag_days ?? 0) }))
      const recurrence = formField('pm.ms.recurrence', h('input', { type: 'text', id: 'ms-recurrence', autocomplete: 'off', value: existing?.recurrence ?? '' }), 'pm.ms.recurrenceHint')
      const recurrenceUntil = formField('pm.ms.recurrenceUntil', h('input', { type: 'text', id: 'ms-recurrence-until', autocomplete: 'off' }))
      if (existing?.recurrence) {
        recurrence.control.disabled = true
        recurrenceUntil.control.disabled = true
      }
      // the link to the passage or decision it came from (added on save)
      const draftSelect = h('select', { id: 'ms-link-draft' })
      draftSelect.append(tr(h('option', { value: '' }), 'pm.ms.linkNoDraft'))
      for (const d of draftList) draftSelect.append(h('option', { value: String(d.id) }, d.title))
      const linkDraft = formField('pm.ms.linkDraft', draftSelect)
      const linkQuote = formField('pm.ms.linkQuote', h('textarea', { id: 'ms-link-quote', rows: 2 }), 'pm.ms.linkQuoteHint')
      const linkDecision = formField('pm.ms.linkDecision', h('textarea', { id: 'ms-link-decision', rows: 2 }), 'pm.ms.linkDecisionHint')
      const linkPart = h('fieldset', { id: 'ms-link' }, tr(h('legend', {}), 'pm.ms.linkLegend'), linkDraft.element, linkQuote.element, linkDecision.element)
      const errors = formErrors({ start, follows, lag_days: lag, recurrence, recurrence_until: recurrenceUntil, title: name, description, due, due_reason: dueReason, action_line_id: actionLine, source_ref: source, owners, draft_id: linkDraft, anchor: linkQuote, decision_text: linkDecision })
      const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), editing ? 'pm.save' : 'pm.ms.create')
      const back = existing ? `/milestones/${existing.id}` : `/groups/${bodyId}/programme`
      const form = h(
        'form',
        { class: 'stack', novalidate: true, id: 'milestone-form' },
        errors.box,
        name.element,
        description.element,
        due.element,
        editing ? tr(h('p', { class: 'hint', id: 'ms-correction-note' }), 'pm.ms.correctionNote') : null,
        editing ? dueReason.element : null,
        start.element,
        follows.element,
        lag.element,
        recurrence.element,
        recurrenceUntil.element,
        owners.element,
        actionLine.element,
        source.element,
        linkPart,
        h('div', { class: 'actions' }, submit, ' ', tr(h('a', { href: back, 'data-link': true }), 'pm.cancel')),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        errors.clear()
        const titleText = name.control.value.trim()
        const dueText = due.control.value.trim()
        if (!titleText) return errors.at('title', t('pm.required'))
        const followsId = followsSelect.value ? Number(followsSelect.value) : null
        if (!dueText && followsId === null) return errors.at('due', t('pm.ms.dueOrFollows'))
        const lagDays = Number(lag.control.value || '0')
        if (!Number.isInteger(lagDays)) return errors.at('lag_days', t('pm.required'))
        const startText = start.control.value.trim()
        const recurrenceText = recurrence.control.disabled ? '' : recurrence.control.value.trim()
        const untilText = recurrenceUntil.control.disabled ? '' : recurrenceUntil.control.value.trim()
        const lineId = lineSelect.value ? Number(lineSelect.value) : undefined
        const draftId = draftSelect.value ? Number(draftSelect.value) : undefined
        const quote = linkQuote.control.value.trim()
        const decision = linkDecision.control.value.trim()
        if (quote && draftId === undefined) return errors.at('draft_id', t('pm.ms.linkDraftNeeded'))
        void busy(submit, async () => {
          try {
            const sourceText = source.control.value.trim()
            const input = {
              title: titleText,
              description: description.control.value.trim(),
              ...(dueText ? { due: dueText } : {}),
              owners: owners.read(),
              lag_days: lagDays,
              ...(recurrenceText ? { recurrence: recurrenceText } : {}),
              ...(untilText ? { recurrence_until: untilText } : {}),
              ...(lineId !== undefined ? { action_line_id: lineId } : {}),
            }
            let saved: MilestoneDetail
            if (existing) {
              const reason = dueReason.control.value.trim()
              saved = await programme.updateMilestone(existing.id, { ...input, source_ref: sourceText, start: startText, follows: followsId, ...(reason ? { due_reason: reason } : {}) })
            } else {
              saved = await programme.createMilestone(bodyId, { ...input, due: dueText, ...(startText ? { start: startText } : {}), ...(followsId !== null ? { follows: followsId } : {}), ...(sourceText ? { source_ref: sourceText } : {}) })
            }
            if (draftId !== undefined || decision) {
              await programme.addLink(saved.id, { ...(draftId !== undefined ? { draft_id: draftId } : {}), ...(quote ? { anchor: quote } : {}), ...(decision ? { decision_text: decision } : {}) })
            }
            announce(t(existing ? 'pm.ms.saved' : 'pm.ms.created', { title: saved.title }))
            app.navigate(`/milestones/${saved.id}`)
          } catch (error) {
            errors.show(error)
          }
        })
      })
      main.replaceChildren(
        h('p', { class: 'back' }, h('a', { href: back, 'data-link': true }, tr(h('span', {}), existing ? 'pm.backToMilestone' : 'pm.backToProgramme', { name: existing?.title ?? bodyName }))),
        tr(h('h1', {}), heading),
        h('section', { class: 'card narrow', 'aria-labelledby': 'milestone-form-title' }, tr(h('h2', { id: 'milestone-form-title', class: 'visually-hidden' }), heading), form),
      )
    },
  }
}
