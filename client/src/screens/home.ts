// Home: my groups and my open tasks (drafts in consultation in my groups; comment threads that
// mention me or my party). Later: sign-offs, positions and milestones, as those APIs arrive.
// Below: plain documents opened by their id (recently opened in this browser).
import { directory, documents, drafts, governance, type Body, type Comment, type Draft, type DocumentSummary, type Dispute, type Milestone, type RoleAgreement } from '../api'
import type { App } from '../app'
import { formatDate, t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { loading, statusChip } from '../ui/widgets'
import { KIND_KEYS } from './group'

function documentList(items: DocumentSummary[]): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted' }), 'home.listEmpty')
  return h(
    'ul',
    { class: 'doc-list' },
    ...items.map((item) =>
      h(
        'li',
        {},
        h('a', { href: `/drafts/${encodeURIComponent(item.id)}`, 'data-link': true }, item.title ?? item.id),
        item.lastOpened ? tr(h('span', { class: 'muted' }), 'home.lastOpened', { date: formatDate(new Date(item.lastOpened)) }) : null,
      ),
    ),
  )
}

function groupList(bodies: Body[]): HTMLElement {
  if (bodies.length === 0) return tr(h('p', { class: 'muted' }), 'home.noGroups')
  return h(
    'ul',
    { class: 'doc-list', id: 'my-groups' },
    ...bodies.map((body) =>
      h(
        'li',
        {},
        h('a', { href: `/groups/${body.id}`, 'data-link': true }, body.name),
        tr(h('span', { class: 'muted' }), KIND_KEYS[body.kind] ?? 'kind.other'),
        tr(h('span', { class: 'muted' }), 'home.partyCount', { count: body.parties.length }),
      ),
    ),
  )
}

type Task =
  | { kind: 'consultation'; draft: Draft }
  | { kind: 'mention'; draft: Draft; comment: Comment }
  | { kind: 'sign-off'; body: Body; agreement: RoleAgreement }
  | { kind: 'milestone'; body: Body; milestone: Milestone; late: boolean }
  | { kind: 'dispute'; body: Body; dispute: Dispute }

/** Sign-offs, milestones and disputes for my party. */
async function governanceTasks(party: string, bodies: Body[]): Promise<Task[]> {
  const tasks: Task[] = []
  await Promise.all(
    bodies.map(async (body) => {
      const [agreements, board, disputes] = await Promise.all([
        governance.roleAgreements(body.id),
        governance.dashboard(body.id),
        governance.disputes(body.id),
      ])
      for (const agreement of agreements) {
        const row = agreement.parties.find((p) => p.code === party)
        if (row && !row.sign_off && row.role !== 'geïnformeerd') tasks.push({ kind: 'sign-off', body, agreement })
      }
      const mine = (milestone: Milestone): boolean => milestone.owners.some((o) => o.code === party)
      for (const milestone of board.late.filter(mine)) tasks.push({ kind: 'milestone', body, milestone, late: true })
      for (const milestone of board.due_soon.filter(mine)) tasks.push({ kind: 'milestone', body, milestone, late: false })
      for (const dispute of disputes) {
        const open = dispute.status === 'in_behandeling' || dispute.status === 'geescaleerd'
        if (open && dispute.parties.some((p) => p.code === party && !p.has_position)) tasks.push({ kind: 'dispute', body, dispute })
      }
    }),
  )
  return tasks
}

async function loadTasks(app: App, bodies: Body[]): Promise<Task[]> {
  const me = app.me
  if (!me) return []
  const lists = await Promise.all(bodies.map((body) => drafts.listDrafts(body.id).catch(() => [] as Draft[])))
  const all = lists.flat()
  const tasks: Task[] = all.filter((draft) => draft.status === 'consultatie').map((draft) => ({ kind: 'consultation' as const, draft }))
  const open = all.filter((draft) => draft.status !== 'besloten' && draft.status !== 'ingetrokken')
  const threads = await Promise.all(open.map((draft) => drafts.listComments(draft.id).then((comments) => ({ draft, comments })).catch(() => ({ draft, comments: [] as Comment[] }))))
  for (const { draft, comments } of threads) {
    for (const comment of comments) {
      if (comment.resolved_at !== null || comment.author_id === me.id) continue
      const mentioned = (me.id !== null && comment.mentioned_people.includes(me.id)) || (!!me.party && comment.mentioned_parties.includes(me.party))
      if (mentioned) tasks.push({ kind: 'mention', draft, comment })
    }
  }
  if (me.party) tasks.push(...(await governanceTasks(me.party, bodies)))
  return tasks
}

function taskList(tasks: Task[]): HTMLElement {
  if (tasks.length === 0) return tr(h('p', { class: 'muted' }), 'home.noTasks')
  return h(
    'ul',
    { class: 'task-list', id: 'my-tasks' },
    ...tasks.map((task) => {
      if (task.kind === 'sign-off' || task.kind === 'milestone' || task.kind === 'dispute') {
        const [key, anchor, label] =
          task.kind === 'sign-off'
            ? (['home.taskSignOff', 'role-agreements', task.agreement.title] as const)
            : task.kind === 'milestone'
              ? (['home.taskMilestone', 'action-lines', `${task.milestone.title} (${task.milestone.due.raw})`] as const)
              : (['home.taskDispute', 'disputes', task.dispute.title] as const)
        const state = task.kind === 'milestone' ? { state: t(task.late ? 'milestone.te_laat' : 'milestone.dueSoonShort').toLowerCase() } : undefined
        return h('li', { 'data-task': task.kind }, tr(h('span', { class: 'task-kind' }), key, state), ' ', h('a', { href: `/groups/${task.body.id}#${anchor}`, 'data-link': true }, label))
      }
      const link = h('a', { href: `/drafts/${task.draft.id}${task.kind === 'mention' ? '#comments' : ''}`, 'data-link': true }, task.draft.title)
      if (task.kind === 'consultation') {
        return h('li', { 'data-task': 'consultation' }, tr(h('span', { class: 'task-kind' }), 'home.taskConsultation'), ' ', link, ' ', statusChip(task.draft.status))
      }
      const comment = task.comment
      return h(
        'li',
        { 'data-task': 'mention' },
        tr(h('span', { class: 'task-kind' }), 'home.taskMention', { name: comment.author_name, party: comment.author_party ?? '—' }),
        ' ',
        link,
        h('q', { class: 'task-quote' }, comment.body.length > 120 ? `${comment.body.slice(0, 120)}…` : comment.body),
      )
    }),
  )
}

export function homeScreen(app: App): Screen {
  return {
    title: () => t('home.title'),
    async mount(main) {
      const groupsHolder = h('div', {}, loading())
      const tasksHolder = h('div', {}, loading())
      const listHolder = h('div', {})

      const input = h('input', { id: 'doc-id', name: 'doc-id', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'doc-id-hint' })
      const hint = tr(h('p', { id: 'doc-id-hint', class: 'hint' }), 'home.docIdHint')
      const error = h('p', { id: 'doc-id-error', class: 'field-error' })
      error.hidden = true
      const form = h(
        'form',
        { class: 'inline-form', novalidate: true, 'aria-labelledby': 'open-title' },
        tr(h('h3', { id: 'open-title' }), 'home.openTitle'),
        h('div', { class: 'field' }, tr(h('label', { for: 'doc-id' }), 'home.docId'), hint, error, input),
        h('div', { class: 'actions' }, tr(h('button', { type: 'submit', class: 'button-primary' }), 'home.open')),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        const id = input.value.trim()
        if (!documents.DOC_ID_PATTERN.test(id)) {
          tr(error, 'home.docIdInvalid')
          error.hidden = false
          input.setAttribute('aria-invalid', 'true')
          input.setAttribute('aria-describedby', 'doc-id-error doc-id-hint')
          input.focus()
          return
        }
        app.navigate(`/drafts/${encodeURIComponent(id)}`)
      })

      main.append(
        tr(h('h1', {}), 'home.title'),
        tr(h('p', { class: 'lead' }), 'home.intro'),
        h(
          'div',
          { class: 'home-grid' },
          h('section', { class: 'card', 'aria-labelledby': 'tasks-title' }, tr(h('h2', { id: 'tasks-title' }), 'home.tasksTitle'), tasksHolder),
          h('section', { class: 'card', 'aria-labelledby': 'groups-title' }, tr(h('h2', { id: 'groups-title' }), 'home.groupsTitle'), groupsHolder),
        ),
        h('section', { class: 'card', 'aria-labelledby': 'recent-title' }, tr(h('h2', { id: 'recent-title' }), 'home.listTitle'), listHolder, form),
      )
      listHolder.replaceChildren(documentList(await documents.listMyDocuments(app.me?.id ?? null)))
      try {
        const bodies = await directory.listBodies()
        groupsHolder.replaceChildren(groupList(bodies), ...(bodies.length > 0 ? [h('p', {}, tr(h('a', { href: '/programme', 'data-link': true, id: 'monitor-link' }), 'home.monitorLink'))] : []))
        tasksHolder.replaceChildren(taskList(await loadTasks(app, bodies)))
      } catch (err) {
        const message = h('p', { class: 'alert alert-error', role: 'alert' }, describeError(err))
        groupsHolder.replaceChildren(message)
        tasksHolder.replaceChildren()
      }
    },
  }
}
