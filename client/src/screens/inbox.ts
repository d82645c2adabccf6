// The inbox, /inbox: notifications addressed to me or my party (sign-off and position
// requests, reminders, escalations, mentions, status changes of what I follow or take part in,
// role agreements and disputes of my party, due dates moved with their meeting, meetings,
// decisions and decision requests, consultations, open points I or my party own); new ones
// arrive live; mark read / unread.
import { inbox, type InboxItem } from '../api'
import type { App } from '../app'
import { formatDay, t, tr, trAttr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { busy, dateText, loading, messageBox, partyChip } from '../ui/widgets'

const KIND_KEYS: Record<string, MessageKey> = {
  sign_off_request: 'inbox.kind.sign_off_request',
  endorsement_request: 'inbox.kind.endorsement_request',
  position_request: 'inbox.kind.position_request',
  reminder: 'inbox.kind.reminder',
  overdue: 'inbox.kind.overdue',
  escalation: 'inbox.kind.escalation',
  mention: 'inbox.kind.mention',
  due_today: 'inbox.kind.due_today',
  status_change: 'inbox.kind.status_change',
  agreement_change: 'inbox.kind.agreement_change',
  dispute_change: 'inbox.kind.dispute_change',
  due_moved: 'inbox.kind.due_moved',
  meeting: 'inbox.kind.meeting',
  decision: 'inbox.kind.decision',
  decision_request: 'inbox.kind.decision_request',
  consultation: 'inbox.kind.consultation',
  open_point: 'inbox.kind.open_point',
}

const MEETING_KEYS: Record<string, MessageKey> = {
  pack_sent: 'inbox.meeting.pack_sent',
  moved: 'inbox.meeting.moved',
  cancelled: 'inbox.meeting.cancelled',
}

const CONSULTATION_KEYS: Record<string, MessageKey> = {
  aangekondigd: 'inbox.consultation.aangekondigd',
  uitnodiging: 'inbox.consultation.uitnodiging',
  herinnering: 'inbox.consultation.herinnering',
  gesloten: 'inbox.consultation.gesloten',
  ingetrokken: 'inbox.consultation.ingetrokken',
}

const OUTCOME_KEYS: Record<string, MessageKey> = {
  akkoord: 'inbox.outcome.akkoord',
  akkoord_onder_voorwaarden: 'inbox.outcome.akkoord_onder_voorwaarden',
  niet_akkoord: 'inbox.outcome.niet_akkoord',
  aangehouden: 'inbox.outcome.aangehouden',
  besloten: 'inbox.outcome.besloten',
}

const DISPUTE_KEYS: Record<string, MessageKey> = {
  raised: 'inbox.dispute.raised',
  resolved: 'inbox.dispute.resolved',
  withdrawn: 'inbox.dispute.withdrawn',
}

/** The in-app path of what a notification is about (`draft:5` → `/drafts/5`), if it has a screen. */
function pathOf(subjectRef: string): string | null {
  const [kind, id] = subjectRef.split(':')
  if (!id || !/^\d+$/.test(id)) return null
  if (kind === 'draft') return `/drafts/${id}`
  if (kind === 'dispute') return `/disputes/${id}`
  if (kind === 'milestone') return `/milestones/${id}`
  if (kind === 'role_agreement') return `/role-agreements/${id}`
  if (kind === 'meeting') return `/meetings/${id}`
  if (kind === 'decision_request') return `/decision-requests/${id}`
  if (kind === 'consultation') return `/consultaties/${id}`
  return null
}

/**
 * Where a notification's title links to: its in-app link as it is; else the screen of what it
 * is about; else the path of its absolute link (an open point has no screen of its own: its
 * link is the draft's list of open points). The server makes absolute links with its public
 * URL, which need not be this origin: only the path is kept, for the app's own navigation.
 */
function linkOf(link: string | null, subjectRef: string): string | null {
  if (link?.startsWith('/') && !link.startsWith('//')) return link
  const path = pathOf(subjectRef)
  if (path || !link) return path
  try {
    const url = new URL(link)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.pathname + url.search + url.hash : null
  } catch {
    return null
  }
}

/** A short line on what happened, from the notification's kind (who mentioned, the new status, …). */
function detailOf(kind: InboxItem['notification']['kind']): HTMLElement | null {
  if (!kind) return null
  const p = h('p', { class: 'inbox-detail' })
  if (kind.type === 'mention' && kind.by) return tr(p, 'inbox.by', { name: kind.by })
  if (kind.type === 'status_change' && kind.status) return tr(p, 'inbox.nowStatus', { status: kind.status })
  if (kind.type === 'agreement_change') return tr(p, kind.created ? 'inbox.agreementNew' : 'inbox.agreementChanged')
  if (kind.type === 'dispute_change' && kind.change) {
    const key = DISPUTE_KEYS[kind.change]
    return key ? tr(p, key) : null
  }
  if (kind.type === 'due_moved') {
    if (!kind.to) return tr(p, 'inbox.dueUnresolved')
    if (!kind.from) return tr(p, 'inbox.dueMovedFirst', { to: formatDay(kind.to) })
    return tr(p, 'inbox.dueMoved', { from: formatDay(kind.from), to: formatDay(kind.to) })
  }
  if (kind.type === 'meeting' && kind.news) {
    const key = MEETING_KEYS[kind.news]
    return key ? tr(p, key) : null
  }
  if (kind.type === 'decision' && kind.outcome) {
    const key = OUTCOME_KEYS[kind.outcome]
    return key ? tr(p, key) : null
  }
  if (kind.type === 'decision_request') return tr(p, 'inbox.decisionRequest')
  if (kind.type === 'consultation' && kind.news) {
    const key = CONSULTATION_KEYS[kind.news]
    return key ? tr(p, key) : null
  }
  if (kind.type === 'open_point') {
    const days = kind.days_before
    if (days === null || days === undefined) return tr(p, 'inbox.openPoint.assigned')
    if (days <= 0) return tr(p, 'inbox.openPoint.dueToday')
    if (days === 1) return tr(p, 'inbox.openPoint.dueOne')
    return tr(p, 'inbox.openPoint.dueMany', { days })
  }
  return null
}

export function inboxScreen(app: App): Screen {
  const cleanups: (() => void)[] = []
  return {
    title: () => t('inbox.title'),
    async mount(main) {
      void app
      const errors = messageBox()
      const list = h('ol', { class: 'inbox-list', id: 'inbox-list' })
      const holder = h('div', {}, loading())
      const readAll = tr(h('button', { type: 'button', class: 'button-quiet' }), 'inbox.readAll')
      let items: InboxItem[] = []
      const changed = (): boolean => window.dispatchEvent(new Event('polder:unread-changed'))

      const render = (): void => {
        if (items.length === 0) {
          holder.replaceChildren(tr(h('p', { class: 'muted' }), 'inbox.empty'))
          return
        }
        list.replaceChildren(
          ...items.map((item) => {
            const n = item.notification
            const toggle = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), item.read ? 'inbox.markUnread' : 'inbox.markRead'), 'aria-label', item.read ? 'inbox.markUnreadOf' : 'inbox.markReadOf', { title: n.title })
            toggle.addEventListener('click', () =>
              void busy(toggle, async () => {
                try {
                  await inbox.markRead(item.id, !item.read)
                  item.read = !item.read
                  changed()
                  render()
                } catch (error) {
                  errors.error(error)
                }
              }),
            )
            const kindKey = KIND_KEYS[item.kind]
            const kind = h('span', { class: 'inbox-kind' })
            if (kindKey) tr(kind, kindKey)
            else kind.textContent = item.kind
            const path = linkOf(n.link, item.subject_ref)
            const title = path ? h('a', { href: path, 'data-link': true }, n.title) : h('span', {}, n.title)
            return h(
              'li',
              { class: `inbox-item${item.read ? '' : ' inbox-unread'}`, 'data-kind': item.kind },
              h('p', { class: 'inbox-head' }, item.read ? null : tr(h('span', { class: 'unread-dot' }), 'inbox.unread'), kind, item.party ? partyChip(item.party) : null, h('span', { class: 'muted' }, dateText(item.created_at))),
              h('p', { class: 'inbox-title' }, title),
              detailOf(n.kind),
              n.body ? h('p', { class: 'inbox-body' }, n.body) : null,
              n.due ? tr(h('p', { class: 'inbox-due' }), 'inbox.due', { date: formatDay(n.due) }) : null,
              toggle,
            )
          }),
        )
        holder.replaceChildren(list)
      }

      readAll.addEventListener('click', () =>
        void busy(readAll, async () => {
          try {
            await inbox.readAll()
            items.forEach((item) => (item.read = true))
            changed()
            announce(t('inbox.allRead'))
            render()
          } catch (error) {
            errors.error(error)
          }
        }),
      )
      const onLive = (event: Event): void => {
        const item = (event as CustomEvent<InboxItem>).detail
        if (items.some((known) => known.id === item.id)) return
        items.unshift(item)
        render()
      }
      window.addEventListener('polder:notification', onLive)
      cleanups.push(() => window.removeEventListener('polder:notification', onLive))

      main.append(tr(h('h1', {}), 'inbox.title'), tr(h('p', { class: 'lead' }), 'inbox.intro'), errors.element, h('div', { class: 'actions inbox-actions' }, readAll), h('section', { class: 'card', 'aria-labelledby': 'inbox-list-title' }, tr(h('h2', { id: 'inbox-list-title', class: 'visually-hidden' }), 'inbox.title'), holder))
      try {
        items = (await inbox.list()).items
        render()
      } catch (error) {
        holder.replaceChildren()
        errors.error(error)
      }
    },
    destroy() {
      cleanups.forEach((cleanup) => cleanup())
    },
  }
}
