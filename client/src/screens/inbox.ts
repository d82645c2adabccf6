// The inbox, /inbox: notifications addressed to me or my party (sign-off and position
// requests, reminders, escalations, mentions); new ones arrive live; mark read / unread.
import { inbox, type InboxItem } from '../api'
import type { App } from '../app'
import { formatDay, t, tr, trAttr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { busy, dateText, loading, messageBox, partyChip } from '../ui/widgets'

const KIND_KEYS: Record<string, MessageKey> = {
  sign_off_request: 'inbox.kind.sign_off_request',
  position_request: 'inbox.kind.position_request',
  reminder: 'inbox.kind.reminder',
  overdue: 'inbox.kind.overdue',
  escalation: 'inbox.kind.escalation',
  mention: 'inbox.kind.mention',
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
            const title = n.link && n.link.startsWith('/') ? h('a', { href: n.link, 'data-link': true }, n.title) : h('span', {}, n.title)
            return h(
              'li',
              { class: `inbox-item${item.read ? '' : ' inbox-unread'}`, 'data-kind': item.kind },
              h('p', { class: 'inbox-head' }, item.read ? null : tr(h('span', { class: 'unread-dot' }), 'inbox.unread'), kind, item.party ? partyChip(item.party) : null, h('span', { class: 'muted' }, dateText(item.created_at))),
              h('p', { class: 'inbox-title' }, title),
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
