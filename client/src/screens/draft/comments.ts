// The comments sidebar: threads (anchored or general), reply, resolve/reopen, a new comment on
// the current selection, mentioning people and parties (type `@` for suggestions, or pick a
// party). Other people's comments arrive by polling and by a nudge over awareness (`comments`
// counter) from whoever posted.
import type { EditorView } from 'prosemirror-view'
import { drafts, follows, type Comment, type Me, type Member } from '../../api'
import type { OpenPointKind } from '../../api/consent'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { mentionAutocomplete, type Suggestion } from '../../ui/mentions'
import { busy, checkboxField, dateText, messageBox, partyChip, select } from '../../ui/widgets'
import { anchorFromSelection, resolveAnchor, setHighlights } from './anchors'
import { kindSelect, ownerControls } from './open-points'

export interface CommentsPanel {
  element: HTMLElement
  refresh(): Promise<void>
  /** The editor view changed (new session). */
  setView(view: EditorView | null): void
  /** Re-apply highlights after the document changed. */
  destroy(): void
}

export function commentsPanel(options: {
  draftId: number
  /** The draft's body: whose people can be mentioned. */
  bodyId: number
  me: Me
  canComment: () => boolean
  canResolve: (authorId: number) => boolean
  partyCodes: () => string[]
  /** The body's people, owners of an open point made from a comment. */
  people?: () => Member[]
  /** Tell the other people in the draft to reload comments. */
  nudge(): void
  /** A comment was posted as an open point too. */
  onOpenPoint?: () => void
}): CommentsPanel {
  const { draftId } = options
  /** Names of the people seen in suggestions, to show mentions by name. */
  const names = new Map<number, string>()
  let view: EditorView | null = null
  let comments: Comment[] = []
  let activeThread: number | null = null
  const errors = messageBox()
  const list = h('div', { class: 'thread-list' })
  const showResolved = h('input', { type: 'checkbox', id: 'show-resolved' })
  showResolved.addEventListener('change', () => render())

  // new comment
  const body = h('textarea', { id: 'new-comment', rows: 3, required: true })
  const selectionInfo = h('p', { class: 'hint', id: 'new-comment-selection', 'aria-live': 'polite' })
  const mention = select([['', 'comments.mentionNone', true]], { id: 'new-comment-mention' })
  const suggest = async (query: string): Promise<Suggestion[]> => {
    const lower = query.toLowerCase()
    const parties: Suggestion[] = options
      .partyCodes()
      .filter((code) => code.toLowerCase().startsWith(lower))
      .map((code) => ({ kind: 'party', code }))
    const people = await follows.searchPeople(options.bodyId, query, 8)
    people.forEach((person) => names.set(person.id, person.name))
    const found: Suggestion[] = people
      .filter((person) => person.id !== options.me.id)
      .map((person) => ({ kind: 'person', id: person.id, name: person.name, party: person.party }))
    return [...found, ...parties].slice(0, 10)
  }
  const mentions = mentionAutocomplete(body, suggest)
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'comments.post')
  // the comment as an open point too: kind, owner, due date
  const asPoint = h('input', { id: 'new-comment-open-point', 'aria-controls': 'new-comment-open-point-fields' })
  const pointKind = kindSelect('new-comment-point-kind')
  const pointFields = h('div', { id: 'new-comment-open-point-fields', class: 'open-point-fields' })
  let pointOwner: ReturnType<typeof ownerControls> | null = null
  const fillPointFields = (): void => {
    pointOwner = ownerControls('new-comment-point', options.people ?? (() => []), options.partyCodes)
    pointFields.replaceChildren(h('div', { class: 'field' }, tr(h('label', { for: pointKind.id }), 'openPoints.kind'), pointKind), ...pointOwner.elements)
  }
  pointFields.hidden = true
  asPoint.addEventListener('change', () => {
    if (asPoint.checked && !pointOwner) fillPointFields()
    pointFields.hidden = !asPoint.checked
  })
  const form = h(
    'form',
    { class: 'comment-form', novalidate: true },
    h('div', { class: 'field field-mentions' }, tr(h('label', { for: 'new-comment' }), 'comments.new'), selectionInfo, body, mentions.element),
    h('div', { class: 'field' }, tr(h('label', { for: 'new-comment-mention' }), 'comments.mention'), mention),
    checkboxField('comments.asOpenPoint', asPoint),
    pointFields,
    h('div', { class: 'actions' }, submit),
  )
  body.setAttribute('aria-describedby', `new-comment-selection ${body.getAttribute('aria-describedby') ?? ''}`.trim())
  const readOnlyNote = tr(h('p', { class: 'hint' }), 'comments.observer')

  const updateSelectionInfo = (): void => {
    const anchor = view ? anchorFromSelection(view) : null
    if (anchor) tr(selectionInfo, 'comments.onSelection', { quote: anchor.quote.length > 60 ? `${anchor.quote.slice(0, 60)}…` : anchor.quote })
    else tr(selectionInfo, 'comments.noSelection')
  }
  // remember the selection when focus moves from the text into the form
  let pendingAnchor: ReturnType<typeof anchorFromSelection> = null
  body.addEventListener('focus', () => {
    pendingAnchor = view ? anchorFromSelection(view) : null
    updateSelectionInfo()
  })

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = body.value.trim()
    if (!text) {
      errors.text('error.required', { field: t('comments.new') })
      body.setAttribute('aria-invalid', 'true')
      body.focus()
      return
    }
    body.removeAttribute('aria-invalid')
    const anchor = pendingAnchor ?? (view ? anchorFromSelection(view) : null)
    void busy(submit, async () => {
      try {
        const picked = mentions.picked()
        const parties = [...new Set([...picked.parties, ...(mention.value ? [mention.value] : [])])]
        await drafts.postComment(draftId, {
          body: text,
          ...(anchor ? { anchor: { start: anchor.start, end: anchor.end }, quote: anchor.quote } : {}),
          ...(picked.people.length ? { mention_people: picked.people } : {}),
          ...(parties.length ? { mention_parties: parties } : {}),
          ...(asPoint.checked ? { open_point: { kind: pointKind.value as OpenPointKind, ...(pointOwner?.value() ?? {}) } } : {}),
        })
        const wasPoint = asPoint.checked
        asPoint.checked = false
        pointFields.hidden = true
        pointOwner?.reset()
        if (wasPoint) options.onOpenPoint?.()
        body.value = ''
        mention.value = ''
        mentions.reset()
        pendingAnchor = null
        errors.clear()
        announce(t('comments.posted'))
        options.nudge()
        await refresh()
      } catch (error) {
        errors.error(error)
      }
    })
  })

  const threadOf = (threadId: number): Comment[] => comments.filter((c) => c.thread_id === threadId)

  const renderThread = (threadId: number): HTMLElement => {
    const items = threadOf(threadId)
    const first = items[0] as Comment
    const resolved = first.resolved_at !== null
    const titleId = `thread-${threadId}-title`
    const quote = first.quote ?? first.anchored_text
    const located = first.anchor_start && first.anchor_end && view ? resolveAnchor(view.state, first.anchor_start, first.anchor_end) : null
    const thread = h('article', {
      class: `thread${resolved ? ' thread-resolved' : ''}${activeThread === threadId ? ' thread-active' : ''}`,
      'aria-labelledby': titleId,
      'data-thread': String(threadId),
    })
    const heading = h('h3', { id: titleId, class: 'thread-title' }, partyChip(first.author_party), ' ', first.author_name)
    thread.append(heading)
    if (quote) {
      const quoteEl = h('blockquote', { class: 'thread-quote' }, quote)
      thread.append(quoteEl)
      if (first.anchor_start && !first.anchored_text && !located) thread.append(tr(h('p', { class: 'hint' }), 'comments.anchorGone'))
    }
    if (resolved) thread.append(tr(h('p', { class: 'thread-state' }), 'comments.resolvedOn', { date: dateText(first.resolved_at) }))
    const ol = h('ol', { class: 'thread-comments' })
    for (const comment of items) {
      const named = [...comment.mentioned_people.map((id) => names.get(id) ?? t('comments.someone')), ...comment.mentioned_parties]
      const mentioned = named.length ? tr(h('p', { class: 'mentions' }), 'comments.mentions', { parties: named.join(', ') }) : null
      ol.append(
        h(
          'li',
          { class: 'comment', 'data-comment': String(comment.id) },
          h('p', { class: 'comment-meta' }, h('span', { class: 'comment-author' }, comment.author_name), ' ', partyChip(comment.author_party), ' ', h('span', { class: 'muted' }, dateText(comment.created_at))),
          h('p', { class: 'comment-body' }, comment.body),
          mentioned,
        ),
      )
    }
    thread.append(ol)

    const actions = h('div', { class: 'thread-actions' })
    if (located && view) {
      const show = tr(h('button', { type: 'button', class: 'button-quiet' }), 'comments.showInText')
      show.addEventListener('click', () => {
        activeThread = threadId
        applyHighlights()
        render()
        const dom = view?.domAtPos(located.from)
        const node = dom?.node instanceof Element ? dom.node : dom?.node.parentElement
        node?.scrollIntoView({ block: 'center' })
        view?.focus()
      })
      actions.append(show)
    }
    if (options.canResolve(first.author_id)) {
      const toggle = tr(h('button', { type: 'button', class: 'button-quiet' }), resolved ? 'comments.reopen' : 'comments.resolve')
      toggle.addEventListener('click', () =>
        void busy(toggle, async () => {
          try {
            await drafts.setResolved(draftId, threadId, !resolved)
            announce(t(resolved ? 'comments.reopened' : 'comments.resolved'))
            options.nudge()
            await refresh()
          } catch (error) {
            errors.error(error)
          }
        }),
      )
      actions.append(toggle)
    }
    if (actions.childElementCount) thread.append(actions)

    if (options.canComment() && !resolved) {
      const replyId = `reply-${threadId}`
      const reply = h('textarea', { id: replyId, rows: 2 })
      const send = tr(h('button', { type: 'submit', class: 'button-quiet' }), 'comments.reply')
      const replyForm = h(
        'form',
        { class: 'reply-form', novalidate: true },
        h('div', { class: 'field' }, tr(h('label', { for: replyId }), 'comments.replyLabel'), reply),
        send,
      )
      replyForm.addEventListener('submit', (event) => {
        event.preventDefault()
        if (!reply.value.trim()) {
          reply.focus()
          return
        }
        void busy(send, async () => {
          try {
            await drafts.postComment(draftId, { body: reply.value.trim(), thread_id: threadId })
            reply.value = ''
            options.nudge()
            announce(t('comments.posted'))
            await refresh()
          } catch (error) {
            errors.error(error)
          }
        })
      })
      thread.append(replyForm)
    }
    return thread
  }

  const render = (): void => {
    const threadIds = [...new Set(comments.map((c) => c.thread_id))]
    const visible = threadIds.filter((id) => showResolved.checked || threadOf(id)[0]?.resolved_at === null)
    // keep what the person is typing in a reply
    const typing = document.activeElement instanceof HTMLTextAreaElement && list.contains(document.activeElement) ? document.activeElement : null
    if (typing && typing.value) return
    if (visible.length === 0) list.replaceChildren(tr(h('p', { class: 'muted' }), 'comments.none'))
    else list.replaceChildren(...visible.map(renderThread))
  }

  const applyHighlights = (): void => {
    if (!view) return
    const highlights = comments
      .filter((c) => c.anchor_start && c.anchor_end && c.resolved_at === null && c.id === threadOf(c.thread_id)[0]?.id)
      .map((c) => ({ threadId: c.thread_id, start: c.anchor_start as string, end: c.anchor_end as string, active: c.thread_id === activeThread }))
    setHighlights(view, highlights)
  }

  const refresh = async (): Promise<void> => {
    try {
      comments = await drafts.listComments(draftId)
      if (comments.some((c) => c.mentioned_people.some((id) => !names.has(id)))) {
        const people = await follows.searchPeople(options.bodyId, '', 200)
        people.forEach((person) => names.set(person.id, person.name))
      }
      errors.clear()
    } catch (error) {
      errors.error(error)
      return
    }
    render()
    applyHighlights()
  }

  const fillMentions = (): void => {
    const current = mention.value
    mention.replaceChildren(tr(h('option', { value: '' }), 'comments.mentionNone'), ...options.partyCodes().map((code) => h('option', { value: code }, code)))
    mention.value = current
  }

  const element = h(
    'section',
    { class: 'panel comments-panel', 'aria-labelledby': 'comments-title', id: 'comments' },
    tr(h('h2', { id: 'comments-title' }), 'comments.title'),
    errors.element,
    h('div', { class: 'field field-check' }, showResolved, tr(h('label', { for: 'show-resolved' }), 'comments.showResolved')),
    list,
  )
  const formSlot = h('div', {})
  element.append(formSlot)
  const updateForm = (): void => {
    formSlot.replaceChildren(options.canComment() ? form : readOnlyNote)
    fillMentions()
    updateSelectionInfo()
  }
  updateForm()

  const poll = window.setInterval(() => void refresh(), 15_000)
  return {
    element,
    refresh: async () => {
      updateForm()
      await refresh()
    },
    setView(next) {
      view = next
      updateSelectionInfo()
      applyHighlights()
    },
    destroy() {
      window.clearInterval(poll)
    },
  }
}
