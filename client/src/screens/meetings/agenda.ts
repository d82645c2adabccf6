// The meeting's agenda: an ordered list; for the chair and secretariat each item moves up or
// down (buttons) or is removed, and an item is added: free text, a draft's version (draft
// first, then version), a milestone, a dispute or a decision request of the body.
import { decisions, meetings } from '../../api'
import type { AgendaInput, AgendaItem, AgendaKind, MeetingDetail } from '../../api/meetings'
import { t, tr, trAttr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox } from '../../ui/widgets'
import { formErrors, formField } from '../programme/form'
import { thingPicker, versionPicker } from './pickers'

const KIND_KEYS: Record<AgendaKind, MessageKey> = {
  item: 'agenda.kind.item',
  version: 'agenda.kind.version',
  milestone: 'agenda.kind.milestone',
  dispute: 'agenda.kind.dispute',
  decision_request: 'agenda.kind.decision_request',
}

function linkPath(item: AgendaItem): string | null {
  if (item.kind === 'version' && item.link?.draft_id) return `/drafts/${item.link.draft_id}`
  if (item.kind === 'milestone' && item.milestone_id !== null) return `/milestones/${item.milestone_id}`
  if (item.kind === 'dispute' && item.dispute_id !== null) return `/disputes/${item.dispute_id}`
  if (item.kind === 'decision_request' && item.decision_request_id !== null) return `/decision-requests/${item.decision_request_id}`
  return null
}

function itemRow(detail: MeetingDetail, item: AgendaItem, index: number, count: number, steer: boolean, reload: (focusId?: string) => Promise<void>, errors: ReturnType<typeof messageBox>): HTMLElement {
  const path = linkPath(item)
  const link = item.link
    ? h('p', { class: 'agenda-link' }, tr(h('span', { class: 'muted' }), KIND_KEYS[item.kind]), ': ', path ? h('a', { href: path, 'data-link': true }, item.link.label) : item.link.label, item.link.content_hash ? h('span', { class: 'hash muted' }, ` · SHA-256 ${item.link.content_hash.slice(0, 12)}…`) : null)
    : null
  const row = h('li', { 'data-item': String(item.id), 'data-kind': item.kind }, h('strong', { class: 'agenda-title' }, item.title), link, item.note ? h('p', { class: 'muted' }, item.note) : null)
  if (!steer) return row
  const move = (to: AgendaItem | undefined, buttonId: string, otherId: string): void => {
    if (!to) return
    void (async () => {
      try {
        await meetings.updateItem(detail.id, item.id, { position: to.position })
        announce(t('agenda.moved', { title: item.title }))
        await reload()
        // focus stays with the moved item: on the same button, or the other one at an end
        const wanted = document.getElementById(buttonId)
        const target = wanted instanceof HTMLButtonElement && !wanted.disabled ? wanted : document.getElementById(otherId)
        target?.focus()
      } catch (error) {
        errors.error(error)
      }
    })()
  }
  const up = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', id: `agenda-up-${item.id}` }), 'agenda.up'), 'aria-label', 'agenda.upLabel', { title: item.title })
  const down = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', id: `agenda-down-${item.id}` }), 'agenda.down'), 'aria-label', 'agenda.downLabel', { title: item.title })
  const remove = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', id: `agenda-remove-${item.id}` }), 'agenda.remove'), 'aria-label', 'agenda.removeLabel', { title: item.title })
  up.disabled = index === 0
  down.disabled = index === count - 1
  up.addEventListener('click', () => move(detail.agenda[index - 1], `agenda-up-${item.id}`, `agenda-down-${item.id}`))
  down.addEventListener('click', () => move(detail.agenda[index + 1], `agenda-down-${item.id}`, `agenda-up-${item.id}`))
  remove.addEventListener('click', () => {
    void busy(remove, async () => {
      try {
        await meetings.removeItem(detail.id, item.id)
        announce(t('agenda.removed', { title: item.title }))
        await reload('meeting-agenda-title')
      } catch (error) {
        errors.error(error)
      }
    })
  })
  row.append(h('span', { class: 'item-actions' }, up, down, remove))
  return row
}

function addForm(detail: MeetingDetail, reload: (focusId?: string) => Promise<void>): HTMLElement {
  const kindSelect = h('select', { id: 'agenda-kind' })
  for (const kind of Object.keys(KIND_KEYS) as AgendaKind[]) kindSelect.append(tr(h('option', { value: kind }), KIND_KEYS[kind]))
  const kind = formField('agenda.kind', kindSelect)
  const title = formField('agenda.itemTitle', h('input', { type: 'text', id: 'agenda-item-title', autocomplete: 'off' }), 'agenda.titleHint')
  const note = formField('agenda.note', h('textarea', { id: 'agenda-note', rows: 2 }))
  const version = versionPicker('agenda', detail.body_id)
  const milestone = thingPicker('agenda', 'milestone', detail.body_id)
  const dispute = thingPicker('agenda', 'dispute', detail.body_id)
  const requestSelect = h('select', { id: 'agenda-request' })
  const request = formField('agenda.request', requestSelect)
  let requestsLoaded = false
  const parts: Record<AgendaKind, HTMLElement | null> = {
    item: null,
    version: version.element,
    milestone: milestone.field.element,
    dispute: dispute.field.element,
    decision_request: request.element,
  }
  const show = (): void => {
    const picked = kindSelect.value as AgendaKind
    for (const [k, el] of Object.entries(parts)) if (el) el.hidden = k !== picked
    if (picked === 'version') void version.load()
    if (picked === 'milestone') void milestone.load()
    if (picked === 'dispute') void dispute.load()
    if (picked === 'decision_request' && !requestsLoaded) {
      requestsLoaded = true
      requestSelect.replaceChildren(tr(h('option', { value: '' }), 'app.loading'))
      void decisions
        .requestsOf(detail.body_id)
        .then((list) => {
          const open = list.filter((r) => r.status === 'open' || r.status === 'aangehouden')
          requestSelect.replaceChildren(tr(h('option', { value: '' }), open.length ? 'agenda.pickRequest' : 'agenda.noRequests'), ...open.map((r) => h('option', { value: String(r.id) }, r.title)))
        })
        .catch(() => requestSelect.replaceChildren(tr(h('option', { value: '' }), 'agenda.noRequests')))
    }
  }
  kindSelect.addEventListener('change', show)
  show()
  const errors = formErrors({ kind, title, note, version_id: version.version, milestone_id: milestone.field, dispute_id: dispute.field, decision_request_id: request })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'agenda-add' }), 'agenda.add')
  const form = h('form', { class: 'stack', novalidate: true, id: 'agenda-form' }, errors.box, kind.element, version.element, milestone.field.element, dispute.field.element, request.element, title.element, note.element, h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    const picked = kindSelect.value as AgendaKind
    const titleText = title.control.value.trim()
    const noteText = note.control.value.trim()
    const input: AgendaInput = { kind: picked, ...(titleText ? { title: titleText } : {}), ...(noteText ? { note: noteText } : {}) }
    if (picked === 'item' && !titleText) return errors.at('title', t('pm.required'))
    if (picked === 'version') {
      const id = version.versionId()
      if (id === undefined) return errors.at(version.draft.control.value ? 'version_id' : 'version_id', t('agenda.pickVersionNeeded'))
      input.version_id = id
    }
    if (picked === 'milestone') {
      const id = milestone.value()
      if (id === undefined) return errors.at('milestone_id', t('agenda.pickNeeded'))
      input.milestone_id = id
    }
    if (picked === 'dispute') {
      const id = dispute.value()
      if (id === undefined) return errors.at('dispute_id', t('agenda.pickNeeded'))
      input.dispute_id = id
    }
    if (picked === 'decision_request') {
      if (!requestSelect.value) return errors.at('decision_request_id', t('agenda.pickNeeded'))
      input.decision_request_id = Number(requestSelect.value)
    }
    void busy(submit, async () => {
      try {
        const added = await meetings.addItem(detail.id, input)
        announce(t('agenda.added', { title: added.title }))
        await reload('agenda-kind')
      } catch (error) {
        errors.show(error)
      }
    })
  })
  return h('div', { id: 'agenda-add-part' }, tr(h('h3', {}), 'agenda.addTitle'), form)
}

export function agendaPart(detail: MeetingDetail, steer: boolean, reload: (focusId?: string) => Promise<void>): HTMLElement[] {
  const errors = messageBox()
  const list = detail.agenda.length
    ? h('ol', { class: 'agenda', id: 'agenda' }, ...detail.agenda.map((item, i) => itemRow(detail, item, i, detail.agenda.length, steer, reload, errors)))
    : tr(h('p', { class: 'muted', id: 'agenda' }), 'agenda.empty')
  return [errors.element, list, ...(steer && detail.status !== 'geannuleerd' ? [addForm(detail, reload)] : [])]
}
