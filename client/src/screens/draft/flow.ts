// The status flow bar: concept → consultatie → vastgesteld → aangeboden → besloten, the current
// step marked; for the chair and the secretariat, buttons for the allowed next steps, each
// confirmed in a dialog with an optional note.
import { ApiError, drafts, type Draft, type DraftStatus, type Transition } from '../../api'
import { t, tr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, dateText, messageBox, STATUS_KEYS, statusChip } from '../../ui/widgets'

const ACTION_KEYS: Record<DraftStatus, MessageKey> = {
  concept: 'flow.toConcept',
  consultatie: 'flow.toConsultatie',
  vastgesteld: 'flow.toVastgesteld',
  aangeboden: 'flow.toAangeboden',
  besloten: 'flow.toBesloten',
  ingetrokken: 'flow.toIngetrokken',
}

export function flowBar(options: {
  canMove: () => boolean
  onMoved(result: { draft: Draft; version_id: number | null }): void
}): { element: HTMLElement; update(draft: Draft, transitions: Transition[]): void } {
  const steps = h('ol', { class: 'flow-steps' })
  const actions = h('div', { class: 'flow-actions' })
  const history = h('ol', { class: 'flow-history' })
  const errors = messageBox()
  const element = h(
    'nav',
    { class: 'flow', 'aria-labelledby': 'flow-title', id: 'status-flow' },
    tr(h('h2', { id: 'flow-title', class: 'visually-hidden' }), 'flow.title'),
    steps,
    errors.element,
    actions,
    h('details', { class: 'flow-log' }, tr(h('summary', {}), 'flow.history'), history),
  )

  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'flow-dialog-title', id: 'flow-dialog' })
  document.body.append(dialog)

  const confirm = (draft: Draft, to: DraftStatus): void => {
    const note = h('textarea', { id: 'flow-note', rows: 3 })
    const ok = tr(h('button', { type: 'submit', class: 'button-primary', id: 'flow-confirm' }), ACTION_KEYS[to])
    const cancel = tr(h('button', { type: 'button', class: 'button-quiet' }), 'common.cancel')
    const dialogErrors = messageBox()
    const freezes = to !== 'concept' && to !== 'ingetrokken'
    const form = h(
      'form',
      { method: 'dialog', novalidate: true },
      tr(h('h2', { id: 'flow-dialog-title' }), 'flow.confirmTitle', { from: t(STATUS_KEYS[draft.status]), to: t(STATUS_KEYS[to]) }),
      tr(h('p', {}), freezes ? 'flow.confirmFreezes' : to === 'ingetrokken' ? 'flow.confirmWithdraw' : 'flow.confirmBack'),
      dialogErrors.element,
      h('div', { class: 'field' }, tr(h('label', { for: 'flow-note' }), 'flow.note'), note),
      h('div', { class: 'actions' }, ok, cancel),
    )
    cancel.addEventListener('click', () => dialog.close())
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void busy(ok, async () => {
        try {
          const result = await drafts.transition(draft.id, to, note.value.trim() || undefined)
          dialog.close()
          announce(t('flow.moved', { status: t(STATUS_KEYS[result.draft.status]) }))
          options.onMoved(result)
        } catch (error) {
          dialogErrors.error(error)
          // refused by the gate (consent not complete) or another conflict: what to do next
          if (error instanceof ApiError && error.status === 409) {
            const link = tr(h('a', { href: '#instemming', id: 'flow-refused-link' }), 'flow.refusedLink')
            link.addEventListener('click', () => dialog.close())
            dialogErrors.element.append(h('p', {}, tr(h('span', {}), 'flow.refusedHint'), ' ', link))
          }
        }
      })
    })
    dialog.replaceChildren(form)
    dialog.showModal()
    note.focus()
  }

  return {
    element,
    update(draft, transitions) {
      errors.clear()
      const index = drafts.FLOW.indexOf(draft.status)
      steps.replaceChildren(
        ...drafts.FLOW.map((status, i) => {
          const li = h('li', { class: `flow-step${i < index ? ' flow-done' : ''}${i === index ? ' flow-current' : ''}`, 'data-status': status })
          li.append(h('span', { class: 'flow-number', 'aria-hidden': 'true' }, String(i + 1)), tr(h('span', {}), STATUS_KEYS[status]))
          if (i === index) {
            li.setAttribute('aria-current', 'step')
            li.append(tr(h('span', { class: 'visually-hidden' }), 'flow.current'))
          }
          return li
        }),
      )
      if (draft.status === 'ingetrokken') steps.append(h('li', { class: 'flow-step flow-current', 'aria-current': 'step' }, statusChip('ingetrokken')))
      actions.replaceChildren()
      if (options.canMove()) {
        for (const to of drafts.allowedNext(draft.status)) {
          const button = tr(h('button', { type: 'button', class: to === 'ingetrokken' || to === 'concept' ? 'button-quiet' : 'button-primary', 'data-to': to }), ACTION_KEYS[to])
          button.addEventListener('click', () => confirm(draft, to))
          actions.append(button)
        }
      }
      history.replaceChildren(
        ...(transitions.length
          ? transitions.map((tr_) =>
              h(
                'li',
                {},
                tr(h('span', {}), 'flow.historyItem', { from: t(STATUS_KEYS[tr_.from]), to: t(STATUS_KEYS[tr_.to]), name: tr_.by_name, date: dateText(tr_.at) }),
                tr_.note ? h('span', { class: 'muted' }, ` — ${tr_.note}`) : null,
              ),
            )
          : [tr(h('li', { class: 'muted' }), 'flow.noHistory')]),
      )
    },
  }
}
