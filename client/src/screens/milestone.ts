// One milestone, /milestones/{id}: due date as written and as read, owners, action line and
// source; its status changed right here (a rescheduling asks for the new date, the reason and
// with whom it was agreed); the next reminder and the day an overdue dispute would open; the
// history with who and when; progress notes; links to the advice passage or decision. The
// element #milestone-actions holds the follow button and, for writers, "Geschil melden".
import { directory, drafts, programme, type Draft } from '../api'
import type { MilestoneDetail, MilestoneLink, StatusChange } from '../api/programme'
import type { App } from '../app'
import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { followButton } from '../ui/follow'
import { raiseDisputeButton } from '../ui/raise-dispute'
import { busy, dateText, loading, partyChip, section } from '../ui/widgets'
import { milestoneChip } from './governance'
import { formErrors, formField, present } from './programme/form'
import { dayText, stageText, statusText, windowText } from './programme/labels'
import { statusForm } from './programme/status-form'

function historyTable(changes: StatusChange[]): HTMLElement {
  if (changes.length === 0) return tr(h('p', { class: 'muted', id: 'milestone-history' }), 'pm.history.none')
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col' }), 'pm.history.when'),
    tr(h('th', { scope: 'col' }), 'pm.history.who'),
    tr(h('th', { scope: 'col' }), 'pm.history.change'),
    tr(h('th', { scope: 'col' }), 'pm.history.due'),
    tr(h('th', { scope: 'col' }), 'pm.history.reason'),
  )
  const rows = changes.map((c) =>
    h(
      'tr',
      { 'data-change': String(c.id), 'data-kind': c.kind, 'data-to': c.to },
      h('td', {}, dateText(c.at)),
      h('td', {}, c.by_name ?? '—'),
      h('td', {}, c.kind === 'correction' ? t('pm.history.correction') : t('pm.history.step', { from: statusText(c.from), to: statusText(c.to) })),
      h('td', { class: 'history-due' }, c.new_due ? t('pm.history.dueMoved', { from: c.old_due ?? '—', to: c.new_due }) : ''),
      h('td', {}, c.reason ?? '', c.agreed_with ? h('span', { class: 'muted' }, ` ${t('pm.history.agreedWith', { who: c.agreed_with })}`) : null),
    ),
  )
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'table', id: 'milestone-history' }, tr(h('caption', { class: 'visually-hidden' }), 'pm.history.title'), h('thead', {}, head), h('tbody', {}, ...rows)),
  )
}

function linkItem(link: MilestoneLink, draftsById: Map<number, Draft>): HTMLElement {
  if (link.draft_id !== null) {
    const draft = draftsById.get(link.draft_id)
    return h(
      'li',
      { 'data-link-id': String(link.id) },
      h('a', { href: `/drafts/${link.draft_id}`, 'data-link': true }, draft?.title ?? t('pm.links.draft', { id: link.draft_id })),
      link.anchor ? h('blockquote', { class: 'task-quote' }, link.anchor) : null,
    )
  }
  return h('li', { 'data-link-id': String(link.id) }, tr(h('strong', {}), 'pm.links.decision'), ' ', link.decision_text ?? '')
}

function notesPart(detail: MilestoneDetail, canWrite: boolean, reload: () => Promise<void>): HTMLElement {
  const list = detail.notes.length
    ? h(
        'ul',
        { class: 'thread-comments', id: 'milestone-notes' },
        ...detail.notes.map((n) =>
          h('li', { class: 'comment', 'data-note': String(n.id) }, h('p', { class: 'comment-meta' }, h('span', { class: 'comment-author' }, n.author_name ?? '—'), ' · ', dateText(n.created_at)), h('p', { class: 'comment-body' }, n.body)),
        ),
      )
    : tr(h('p', { class: 'muted', id: 'milestone-notes' }), 'pm.notes.none')
  if (!canWrite) return h('div', {}, list)
  const text = formField('pm.notes.label', h('textarea', { id: 'note-body', rows: 3 }))
  const errors = formErrors({ body: text })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'pm.notes.add')
  const form = h('form', { class: 'comment-form stack', novalidate: true, id: 'note-form' }, errors.box, text.element, h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    const body = text.control.value.trim()
    if (!body) {
      errors.at('body', t('pm.required'))
      return
    }
    void busy(submit, async () => {
      try {
        await programme.addNote(detail.id, body)
        announce(t('pm.notes.added'))
        await reload()
        document.getElementById('note-body')?.focus()
      } catch (error) {
        errors.show(error)
      }
    })
  })
  return h('div', {}, list, form)
}

export function milestoneScreen(app: App, id: number, query: URLSearchParams): Screen {
  let title = t('pm.milestone.title')
  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      const today = query.get('today') ?? undefined
      const render = async (focusId?: string): Promise<void> => {
        let detail: MilestoneDetail
        let role: string | null
        let draftList: Draft[]
        let bodyName: string
        try {
          detail = await programme.milestone(id, today)
          const [members, body, list] = await Promise.all([directory.listMembers(detail.body_id), directory.getBody(detail.body_id), drafts.listDrafts(detail.body_id).catch(() => [] as Draft[])])
          role = members.find((m) => m.person_id === me.id)?.role ?? null
          draftList = list
          bodyName = body.name
        } catch (error) {
          main.replaceChildren(tr(h('h1', {}), 'pm.milestone.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
          return
        }
        title = `${detail.title} — ${t('pm.milestone.title')}`
        document.title = `${title} — ${t('app.name')}`
        const steer = role === 'chair' || role === 'secretariat'
        const owner = role === 'member' && detail.owners.some((o) => o.code === me.party)
        const canWrite = role !== null && role !== 'observer'
        const draftsById = new Map(draftList.map((d) => [d.id, d]))
        const reload = (): Promise<void> => render()
        const facts = h(
          'dl',
          { class: 'milestone-facts', id: 'milestone-facts' },
          tr(h('dt', {}), 'pm.field.status'),
          h('dd', { id: 'milestone-status' }, milestoneChip(detail.status)),
          tr(h('dt', {}), 'pm.field.due'),
          h('dd', { id: 'milestone-due', 'data-latest': detail.due.latest ?? '' }, h('strong', {}, detail.due.raw || t('milestone.noDate')), ' ', h('span', { class: 'muted' }, windowText(detail.due))),
          tr(h('dt', {}), 'pm.owners'),
          h('dd', { id: 'milestone-owners' }, ...detail.owners.flatMap((o) => [partyChip(o.code), ' ', tr(h('span', { class: 'muted' }), o.role === 'lead' ? 'pm.owner.lead' : 'pm.owner.contributor'), ' '])),
          tr(h('dt', {}), 'pm.field.actionLine'),
          h('dd', {}, detail.action_line ?? t('programme.noLine')),
          tr(h('dt', {}), 'pm.field.source'),
          h('dd', { id: 'milestone-source' }, detail.source_ref ?? '—'),
          ...links(detail),
        )
        const reminder = h(
          'div',
          { id: 'milestone-reminder' },
          detail.next_reminder
            ? h('p', { 'data-on': detail.next_reminder.on, 'data-stage': detail.next_reminder.stage }, tr(h('span', {}), 'pm.reminder.next'), ' ', h('strong', {}, dayText(detail.next_reminder.on)), ` (${stageText(detail.next_reminder.stage)})`)
            : tr(h('p', { class: 'muted' }), 'pm.reminder.none'),
          detail.overdue_dispute_on ? tr(h('p', { class: 'hint', id: 'milestone-overdue-dispute', 'data-on': detail.overdue_dispute_on }), 'pm.reminder.dispute', { day: dayText(detail.overdue_dispute_on) }) : null,
          tr(h('p', { class: 'hint' }), 'pm.reminder.rule'),
        )
        main.replaceChildren(
          ...present(
          h('p', { class: 'back' }, h('a', { href: `/groups/${detail.body_id}/programme`, 'data-link': true }, tr(h('span', {}), 'pm.backToProgramme', { name: bodyName }))),
          h('h1', { id: 'milestone-title' }, detail.title),
          detail.description ? h('p', { class: 'lead' }, detail.description) : null,
          steer ? h('p', { class: 'actions' }, tr(h('a', { href: `/milestones/${detail.id}/edit`, 'data-link': true, id: 'edit-milestone' }), 'pm.milestone.edit')) : null,
          h(
            'div',
            { id: 'milestone-actions', class: 'actions' },
            followButton('milestone', detail.id),
            canWrite ? raiseDisputeButton(app, detail.body_id, { kind: 'milestone', id: detail.id, title: detail.title }) : null,
          ),
          section('milestone-about', 'pm.milestone.about', facts),
          steer || owner ? section('milestone-status-section', 'pm.status.title', statusForm(detail, { compact: false, onChanged: () => void render('milestone-status-section-title') })) : null,
          section('milestone-reminders', 'pm.reminder.title', reminder),
          section('milestone-history-section', 'pm.history.title', historyTable(detail.history)),
          section('milestone-notes-section', 'pm.notes.title', notesPart(detail, canWrite, reload)),
          section(
            'milestone-links',
            'pm.links.title',
            detail.links.length ? h('ul', { class: 'doc-list', id: 'milestone-link-list' }, ...detail.links.map((l) => linkItem(l, draftsById))) : tr(h('p', { class: 'muted' }), 'pm.links.none'),
          ),
          ),
        )
        if (focusId) {
          const target = document.getElementById(focusId)
          target?.setAttribute('tabindex', '-1')
          target?.focus()
        }
      }
      await render()
    },
  }
}

/** Start, predecessor ("volgt na") with its slipped flag, and recurrence, as facts. */
function links(detail: MilestoneDetail): HTMLElement[] {
  const out: HTMLElement[] = []
  if (detail.start) out.push(tr(h('dt', {}), 'pm.ms.start'), h('dd', { id: 'milestone-start' }, detail.start))
  if (detail.follows) {
    out.push(
      tr(h('dt', {}), 'pm.ms.follows'),
      h(
        'dd',
        { id: 'milestone-follows' },
        h('a', { href: `/milestones/${detail.follows}`, 'data-link': true }, detail.follows_title ?? `#${detail.follows}`),
        ' ',
        h('span', { class: 'muted' }, `${detail.follows_due ?? ''} + ${detail.lag_days ?? 0}`),
        detail.predecessor_slipped ? tr(h('p', { class: 'alert', id: 'milestone-slipped', role: 'status' }), 'ms.slipped') : null,
      ),
    )
  }
  if (detail.predecessor_line_late) out.push(tr(h('dt', {}), 'pm.field.actionLine'), tr(h('dd', { id: 'milestone-line-late' }), 'ms.lineLate'))
  if (detail.recurrence) out.push(tr(h('dt', {}), 'pm.ms.recurrence'), tr(h('dd', { id: 'milestone-recurrence' }), 'ms.recurrence', { rule: detail.recurrence }))
  return out
}
