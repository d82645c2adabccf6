// The draft screen, /drafts/{id}: the live editor with the status flow, comments, versions and
// the assignment fields of a working group's advice draft.
import { directory, drafts, type BodyRole, type Draft, type Member, type Transition } from '../../api'
import type { App } from '../../app'
import { t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { followButton } from '../../ui/follow'
import { loading, statusChip } from '../../ui/widgets'
import { shortcutsHelp } from '../editor'
import { mountLiveEditor, type LiveEditor } from '../editor/mount'
import { raiseDisputeButton } from '../../ui/raise-dispute'
import { highlightPlugin } from './anchors'
import { disputeBanner, selectedText } from './dispute-passage'
import { commentsPanel, type CommentsPanel } from './comments'
import { flowBar } from './flow'
import { templatePanel } from './template'
import { versionsPanel } from './versions'
import { consentSection } from './consent'
import { openPointsPanel } from './open-points'
import { consultationsPanel } from '../consultation/draft-list'

/** Awareness field other clients watch: counters bumped after posting a comment or a status change. */
interface Nudges {
  comments: number
  draft: number
}

export function draftScreen(app: App, draftId: number): Screen {
  let title = t('draft.loadingTitle')
  let editor: LiveEditor | null = null
  let comments: CommentsPanel | null = null
  const cleanups: (() => void)[] = []

  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      let draft: Draft
      let transitions: Transition[]
      let role: BodyRole | null = null
      let partyCodes: string[] = []
      let members: Member[] = []
      try {
        draft = await drafts.getDraft(draftId)
        ;[transitions] = await Promise.all([
          drafts.listTransitions(draftId),
          directory.listMembers(draft.body_id).then((list) => {
            members = list
            role = list.find((member) => member.person_id === me.id)?.role ?? null
          }),
          directory.getBody(draft.body_id).then((body) => {
            partyCodes = body.parties.map((party) => party.code)
          }),
        ])
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'draft.errorTitle'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        title = t('draft.errorTitle')
        return
      }
      title = draft.title
      const isLead = (): boolean => role === 'chair' || role === 'secretariat'
      const isWriter = (): boolean => role !== null && role !== 'observer'

      const heading = h('h1', { class: 'editor-title' }, draft.title)
      const chipSlot = h('span', { class: 'title-status' }, statusChip(draft.status))
      const back = h('p', { class: 'back' }, tr(h('a', { href: `/groups/${draft.body_id}`, 'data-link': true }), 'draft.backToGroup'))

      const nudges: Nudges = { comments: 0, draft: 0 }
      const nudge = (kind: keyof Nudges): void => {
        nudges[kind]++
        editor?.session()?.connection.provider.awareness.setLocalStateField('polder', { ...nudges })
      }

      const reloadDraft = async (): Promise<void> => {
        const before = draft.status
        try {
          ;[draft, transitions] = await Promise.all([drafts.getDraft(draftId), drafts.listTransitions(draftId)])
        } catch {
          return
        }
        chipSlot.replaceChildren(statusChip(draft.status))
        // back to concept: editable again for those who may write
        if (draft.status === 'concept' && before !== 'concept' && isWriter() && editor?.session()?.connection.snapshot().readOnly) editor.reopen()
        flow.update(draft, transitions)
        template.update(draft)
        void versions.refresh()
        void consentPart.refresh()
        void openPoints.refresh()
      }

      // The freeze reaches the sockets just before the status change is committed (the server
      // freezes first, so no edit slips in), so a reload at that moment may still read the old
      // status: ask again, a few times, until it has moved.
      const reloadUntilMoved = async (from: string, tries: number): Promise<void> => {
        await reloadDraft()
        if (draft.status === from && tries > 1) {
          window.setTimeout(() => void reloadUntilMoved(from, tries - 1), 500)
        }
      }

      const flow = flowBar({
        canMove: isLead,
        onMoved: (result) => {
          draft = result.draft
          nudge('draft')
          void reloadDraft()
        },
      })
      flow.update(draft, transitions)
      const template = templatePanel(
        (current) => isLead() && current.status === 'concept',
        (saved) => {
          draft = saved
          template.update(saved)
          nudge('draft')
        },
      )
      template.update(draft)
      const versions = versionsPanel(app, draftId, isWriter, () => {
        void consentPart.refresh()
        void consultations.refresh()
      })
      const consentPart = consentSection({
        draftId,
        bodyId: draft.body_id,
        myParty: () => me.party ?? null,
        holdsMandate: () => members.find((m) => m.person_id === me.id)?.holds_mandate === true,
        isLead,
        versions: () => drafts.listVersions(draftId),
        selection: () => selectedText(editor?.session()?.view),
      })
      const openPoints = openPointsPanel({
        draftId,
        canWrite: isWriter,
        people: () => members,
        parties: () => partyCodes,
      })
      tr(openPoints.badge, 'openPoints.badge', { count: draft.open_points ?? 0 })
      const consultations = consultationsPanel(app, draftId, isLead, () => drafts.listVersions(draftId))
      comments = commentsPanel({
        draftId,
        bodyId: draft.body_id,
        me,
        canComment: isWriter,
        canResolve: (authorId) => authorId === me.id || isLead(),
        partyCodes: () => partyCodes,
        people: () => members,
        nudge: () => nudge('comments'),
        onOpenPoint: () => void openPoints.refresh(),
      })

      // a dispute about the selected passage (members, chair, secretariat; never observers)
      const disputeButton = isWriter()
        ? raiseDisputeButton(app, draft.body_id, { kind: 'draft', id: draftId, title: draft.title, passage: () => selectedText(editor?.session()?.view) })
        : null
      const fromDispute = Number(new URLSearchParams(location.search).get('dispute'))
      const banner = Number.isInteger(fromDispute) && fromDispute > 0 ? await disputeBanner(fromDispute) : null
      editor = mountLiveEditor({
        docId: draft.doc_id,
        me,
        plugins: [highlightPlugin()],
        toolbarExtras: disputeButton ? [disputeButton] : [],
        onDenied: (denial) => {
          // a status change elsewhere froze the draft: show the new status
          if (denial.readOnly) void reloadUntilMoved(draft.status, 10)
        },
      })
      const seen = new Map<number, Nudges>()
      editor.onSession((session) => {
        comments?.setView(session.view)
        const awareness = session.connection.provider.awareness
        awareness.setLocalStateField('polder', { ...nudges })
        const onChange = (): void => {
          awareness.getStates().forEach((state, clientId) => {
            if (clientId === awareness.clientID) return
            const value = state.polder as Nudges | undefined
            if (!value) return
            const before = seen.get(clientId)
            seen.set(clientId, value)
            if (!before) return
            if (value.comments !== before.comments) void comments?.refresh()
            if (value.draft !== before.draft) void reloadDraft()
          })
        }
        awareness.on('change', onChange)
        // the session is replaced after a refusal; its awareness goes with it
        // a fresh view: highlights are drawn once the document has synced
        session.connection.onChange((snapshot) => {
          if (snapshot.state === 'connected' || snapshot.state === 'read-only') {
            comments?.setView(session.view)
            banner?.reveal(session.view)
          }
        })
      })

      main.replaceChildren(
        h(
          'div',
          { class: 'editor-screen draft-screen' },
          h('div', { class: 'editor-head' }, back, heading, chipSlot, openPoints.badge, followButton('draft', draftId)),
          flow.element,
          consentPart.gate,
          banner?.element ?? null,
          h('div', { class: 'editor-status' }, editor.status),
          editor.rejected,
          h(
            'div',
            { class: 'editor-layout draft-layout' },
            editor.column,
            h('div', { class: 'editor-sidebar' }, editor.presence, comments.element, versions.element, template.element, shortcutsHelp()),
          ),
          h('div', { class: 'draft-consent' }, consentPart.element, openPoints.element, consultations.element),
        ),
      )
      cleanups.push(() => editor?.destroy(), () => comments?.destroy())
      await Promise.all([comments.refresh(), versions.refresh(), consentPart.refresh(), openPoints.refresh(), consultations.refresh()])
    },
    destroy() {
      cleanups.forEach((cleanup) => cleanup())
      document.getElementById('flow-dialog')?.remove()
    },
  }
}
