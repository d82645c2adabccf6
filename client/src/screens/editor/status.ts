// The visible connection state: a live region with the state in words, plus (when offline) the
// time to the next attempt and a "reconnect now" button.
import { t, tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'
import type { ConnectionSnapshot, DraftConnection } from './sync'

const TEXT: Record<ConnectionSnapshot['state'], MessageKey> = {
  connecting: 'connection.connecting',
  connected: 'connection.connected',
  offline: 'connection.offline',
  'read-only': 'connection.readOnly',
  closed: 'connection.closed',
}

const MERGED_NOTICE_MS = 8000

export function mountConnectionStatus(connection: DraftConnection): { element: HTMLElement; destroy(): void } {
  const text = h('span', { class: 'connection-text' })
  const live = h('p', { class: 'connection', role: 'status', id: 'connection-status' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), text)
  const retryInfo = h('span', { class: 'retry-info' })
  const retryButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'retry-now' }), 'connection.retryNow')
  retryButton.addEventListener('click', () => connection.retryNow())
  const element = h('div', { class: 'connection-bar' }, tr(h('span', { class: 'visually-hidden' }), 'connection.label'), live, retryInfo, retryButton)

  let mergedUntil = 0
  let mergedTimer: number | null = null
  let current = connection.snapshot()

  const render = (): void => {
    const snapshot = current
    const merged = snapshot.state === 'connected' && Date.now() < mergedUntil
    live.dataset.state = merged ? 'merged' : snapshot.state
    const key: MessageKey = merged ? 'connection.merged' : TEXT[snapshot.state]
    const params = snapshot.state === 'closed' ? { reason: snapshot.closeReason ?? '' } : undefined
    if (text.dataset.i18n !== key || text.dataset.i18nParams !== (params ? JSON.stringify(params) : undefined)) tr(text, key, params)

    const waiting = snapshot.state === 'offline' || snapshot.state === 'closed' || snapshot.state === 'connecting'
    retryButton.hidden = !(snapshot.state === 'offline' || snapshot.state === 'closed')
    if (waiting && snapshot.retryAt !== null) {
      retryInfo.textContent = t('connection.retryIn', { seconds: Math.max(1, Math.ceil((snapshot.retryAt - Date.now()) / 1000)) })
    } else if (waiting && snapshot.state === 'offline') {
      retryInfo.textContent = t('connection.retrying')
    } else {
      retryInfo.textContent = ''
    }
  }

  const unsubscribe = connection.onChange((snapshot) => {
    current = snapshot
    render()
  })
  const unsubscribeMerged = connection.onMerged(() => {
    mergedUntil = Date.now() + MERGED_NOTICE_MS
    render()
    if (mergedTimer !== null) window.clearTimeout(mergedTimer)
    mergedTimer = window.setTimeout(render, MERGED_NOTICE_MS + 10)
  })
  // the countdown is not in the live region, so ticking does not make screen readers chatter
  const ticker = window.setInterval(() => {
    if (current.retryAt !== null) render()
  }, 1000)

  return {
    element,
    destroy() {
      unsubscribe()
      unsubscribeMerged()
      window.clearInterval(ticker)
      if (mergedTimer !== null) window.clearTimeout(mergedTimer)
    },
  }
}
