// The inbox link in the header with the number of unread notifications, kept current over
// `/ws/inbox` (first frame `{"type":"unread","count"}`, then `{"type":"notification","item"}`),
// reconnecting with the editor's jittered backoff. New notifications are announced and passed
// on as a `polder:notification` event (the inbox screen listens).
import { inbox, type InboxItem } from '../api'
import { t, tr } from '../i18n'
import { reconnectDelay } from '../screens/editor/backoff'
import { isPermanentClose, permanentCloseMessage } from '../screens/editor/close-codes'
import { announce } from './announce'
import { h } from './dom'

export interface LiveInbox {
  item: HTMLElement
  start(): void
  stop(): void
  setCount(count: number): void
}

export function liveInbox(): LiveInbox {
  const count = h('span', { class: 'inbox-count', id: 'inbox-count' })
  const unreadText = tr(h('span', { class: 'visually-hidden' }), 'inbox.unreadSuffix')
  const label = tr(h('span', {}), 'nav.inbox')
  const link = h('a', { href: '/inbox', 'data-link': true }, label, ' ', count, unreadText)
  const item = h('li', {}, link)
  item.hidden = true
  let socket: WebSocket | null = null
  let timer: number | null = null
  let attempt = 0
  let running = false
  let unread = 0

  const setCount = (value: number): void => {
    unread = Math.max(0, value)
    count.textContent = unread ? String(unread) : ''
    count.hidden = unread === 0
    unreadText.hidden = unread === 0
  }

  const connect = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    const ws = new WebSocket(`${scheme}//${location.host}/ws/inbox`)
    socket = ws
    ws.onmessage = (event) => {
      attempt = 0
      let frame: { type?: string; count?: number; item?: InboxItem }
      try {
        frame = JSON.parse(String(event.data)) as typeof frame
      } catch {
        return
      }
      if (frame.type === 'unread' && typeof frame.count === 'number') setCount(frame.count)
      if (frame.type === 'notification' && frame.item) {
        if (!frame.item.read) setCount(unread + 1)
        announce(t('inbox.new', { title: frame.item.notification.title }))
        window.dispatchEvent(new CustomEvent('polder:notification', { detail: frame.item }))
      }
    }
    ws.onclose = (event) => {
      if (socket !== ws || !running) return
      socket = null
      if (isPermanentClose(event.code)) {
        // the credential ended: no more reconnects until the next sign-in starts this again
        running = false
        item.hidden = true
        announce(t(permanentCloseMessage(event.code)))
        return
      }
      timer = window.setTimeout(connect, reconnectDelay(attempt++))
    }
  }

  // the inbox screen marked something (un)read
  window.addEventListener('polder:unread-changed', () => {
    if (running && !item.hidden) void inbox.unreadCount().then(setCount, () => undefined)
  })

  return {
    item,
    setCount,
    start() {
      if (running) return
      running = true
      void inbox.unreadCount().then(
        (value) => {
          if (!running) return
          item.hidden = false
          setCount(value)
          connect()
        },
        () => undefined,
      )
    },
    stop() {
      running = false
      if (timer !== null) window.clearTimeout(timer)
      timer = null
      const ws = socket
      socket = null
      ws?.close()
      item.hidden = true
    },
  }
}
