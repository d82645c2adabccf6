// Who is in the draft: awareness states → a list of avatars (initials on the party colour).
import type { Awareness } from 'y-protocols/awareness'
import { tr } from '../../i18n'
import { initials } from '../../parties'
import { h } from '../../ui/dom'

/** What each client puts in its awareness `user` field (the server will stamp it later). */
export interface PresenceUser {
  id: number | null
  name: string
  color: string
  party: string | null
}

function isPresenceUser(value: unknown): value is PresenceUser {
  if (typeof value !== 'object' || value === null) return false
  const user = value as Record<string, unknown>
  return typeof user.name === 'string' && typeof user.color === 'string'
}

/** One entry per person: several tabs of the same person show once. */
export function presentUsers(awareness: Awareness): { user: PresenceUser; self: boolean }[] {
  const seen = new Map<string, { user: PresenceUser; self: boolean }>()
  awareness.getStates().forEach((state, clientId) => {
    const user: unknown = state.user
    if (!isPresenceUser(user)) return
    const key = user.id !== null ? `id:${user.id}` : `client:${clientId}`
    const self = clientId === awareness.clientID
    if (!seen.has(key) || self) seen.set(key, { user, self })
  })
  return [...seen.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.user.name.localeCompare(b.user.name))
}

function avatar(user: PresenceUser): HTMLElement {
  const element = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(user.name))
  // via CSSOM, not a style attribute, so a strict Content-Security-Policy needs no 'unsafe-inline'
  element.style.backgroundColor = user.color
  return element
}

export function mountPresence(awareness: Awareness): { element: HTMLElement; destroy(): void } {
  const count = h('span', { class: 'presence-count' })
  const list = h('ul', { class: 'presence-list', 'aria-labelledby': 'presence-title' })
  const element = h(
    'section',
    { class: 'presence', 'aria-labelledby': 'presence-title' },
    h('h2', { id: 'presence-title', class: 'presence-title' }, tr(h('span', {}), 'presence.title'), ' ', count),
    list,
  )
  let lastKey = ''
  const render = (): void => {
    const users = presentUsers(awareness)
    // awareness changes with every cursor move; only touch the DOM when the people change
    const key = JSON.stringify(users.map(({ user, self }) => [user.id, user.name, user.color, user.party, self]))
    if (key === lastKey) return
    lastKey = key
    if (users.length === 1) tr(count, 'presence.countOne')
    else tr(count, 'presence.countMany', { count: users.length })
    list.replaceChildren(
      ...users.map(({ user, self }) => {
        const name = self ? tr(h('span', { class: 'presence-name' }), 'presence.you', { name: user.name }) : h('span', { class: 'presence-name' }, user.name)
        return h(
          'li',
          { class: 'presence-user', 'data-self': self ? 'true' : null },
          avatar(user),
          name,
          user.party ? tr(h('span', { class: 'visually-hidden' }), 'presence.party', { party: user.party }) : null,
        )
      }),
    )
  }
  awareness.on('change', render)
  render()
  return {
    element,
    destroy: () => awareness.off('change', render),
  }
}
