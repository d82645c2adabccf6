// The sync connection of one draft: y-websocket's WebsocketProvider with our own reconnect
// (jittered exponential backoff instead of y-websocket's fixed doubling), a read-only state
// from the server's permission-denied message, and a record of edits made while offline so the
// UI can say they were merged.
//
// How the provider's reconnect is taken over: y-websocket emits 'connection-close' before it
// schedules its own `setupWS` retry, and that retry does nothing while `shouldConnect` is false.
// So on every unintended close we set `shouldConnect = false` and call `connect()` ourselves
// after a jittered delay (see node_modules/y-websocket/src/y-websocket.js, closeWebsocketConnection).
import { readAuthMessage } from 'y-protocols/auth'
import type * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { t } from '../../i18n'
import { reconnectDelay } from './backoff'
import { isPermanentClose, permanentCloseMessage } from './close-codes'

export type ConnectionState = 'connecting' | 'connected' | 'offline' | 'read-only' | 'closed'

export interface ConnectionSnapshot {
  state: ConnectionState
  /** Edits made while not connected that have not been sent yet. */
  pendingLocalChanges: boolean
  /** When the next reconnect attempt is due (ms since epoch), if one is scheduled. */
  retryAt: number | null
  readOnly: boolean
  closeReason: string | null
}

type Listener = (snapshot: ConnectionSnapshot) => void

/** The server refused an update: because this person may only read, or for another reason
 * (e.g. the document size limit), given in `reason`. Either way the change was not stored. */
export interface Denial {
  readOnly: boolean
  reason: string
}

/** The Polder server's reason for a reader's refused update starts with "read-only". */
export function isReadOnlyReason(reason: string): boolean {
  return /^read-only\b/i.test(reason.trim())
}

const MESSAGE_AUTH = 2

export function syncUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws`
}

export class DraftConnection {
  readonly provider: WebsocketProvider
  private listeners = new Set<Listener>()
  private mergedListeners = new Set<() => void>()
  private permissionListeners = new Set<(denial: Denial) => void>()
  private attempt = 0
  private retryTimer: number | null = null
  private retryAt: number | null = null
  private everSynced = false
  private pendingLocalChanges = false
  private readOnly = false
  private closeReason: string | null = null
  private destroyed = false

  /** `readOnly`: the server already refused this person's edits to this draft. */
  constructor(docId: string, private readonly doc: Y.Doc, readOnly = false) {
    this.readOnly = readOnly
    this.provider = new WebsocketProvider(syncUrl(), docId, doc, { connect: false, disableBc: true })
    this.provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder: decoding.Decoder) => {
      readAuthMessage(decoder, this.doc, (_doc, reason) => this.onPermissionDenied(reason))
    }
    this.provider.on('status', () => this.emit())
    this.provider.on('sync', (synced: boolean) => this.onSync(synced))
    this.provider.on('connection-close', (event: CloseEvent | null) => this.onClose(event))
    doc.on('update', this.onDocUpdate)
    window.addEventListener('online', this.onOnline)
    this.provider.connect()
  }

  snapshot(): ConnectionSnapshot {
    return {
      state: this.state(),
      pendingLocalChanges: this.pendingLocalChanges,
      retryAt: this.retryAt,
      readOnly: this.readOnly,
      closeReason: this.closeReason,
    }
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener)
    listener(this.snapshot())
    return () => this.listeners.delete(listener)
  }

  /** Called once edits made offline have been sent after reconnecting. */
  onMerged(listener: () => void): () => void {
    this.mergedListeners.add(listener)
    return () => this.mergedListeners.delete(listener)
  }

  /** Called on the first update the server refuses on this connection. */
  onDeniedOnce(listener: (denial: Denial) => void): void {
    this.permissionListeners.add(listener)
  }

  /** Skips the wait (the user pressed "reconnect now", or the browser came back online). */
  retryNow(): void {
    if (this.destroyed || this.provider.wsconnected || this.provider.ws !== null) return
    this.cancelRetry()
    this.closeReason = null
    this.provider.connect()
    this.emit()
  }

  destroy(): void {
    this.destroyed = true
    this.cancelRetry()
    window.removeEventListener('online', this.onOnline)
    this.doc.off('update', this.onDocUpdate)
    this.listeners.clear()
    this.provider.destroy()
  }

  private state(): ConnectionState {
    if (this.closeReason !== null && !this.provider.wsconnected) return 'closed'
    if (this.readOnly && this.provider.wsconnected) return 'read-only'
    if (this.provider.wsconnected && this.provider.synced) return 'connected'
    return this.everSynced ? 'offline' : 'connecting'
  }

  private onDocUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return
    if (!this.provider.synced && !this.pendingLocalChanges) {
      this.pendingLocalChanges = true
      this.emit()
    }
  }

  private onSync(synced: boolean): void {
    if (synced) {
      const reconnected = this.everSynced
      this.everSynced = true
      this.attempt = 0
      if (this.pendingLocalChanges && reconnected) {
        // sync step 2 answered the server's state vector with everything we had, offline
        // edits included
        this.pendingLocalChanges = false
        this.mergedListeners.forEach((listener) => listener())
      }
      this.pendingLocalChanges = false
    }
    this.emit()
  }

  private onClose(event: CloseEvent | null): void {
    if (this.destroyed) return
    if (event && isPermanentClose(event.code)) {
      // 4400–4499: the credential or the access ended; reconnecting cannot help, so stop
      // y-websocket's own retry too and say why ("reconnect now" stays possible, e.g. after
      // signing in again)
      this.provider.shouldConnect = false
      this.cancelRetry()
      this.closeReason = t(permanentCloseMessage(event.code))
      this.emit()
      return
    }
    if (!this.provider.shouldConnect) return
    // take the retry over from y-websocket (see the comment at the top)
    this.provider.shouldConnect = false
    this.scheduleRetry()
    this.emit()
  }

  private scheduleRetry(): void {
    this.cancelRetry()
    const delay = reconnectDelay(this.attempt++)
    this.retryAt = Date.now() + delay
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null
      this.retryAt = null
      if (!this.destroyed) this.provider.connect()
      this.emit()
    }, delay)
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.retryAt = null
  }

  private onOnline = (): void => this.retryNow()

  private onPermissionDenied(reason: string): void {
    const denial = { readOnly: isReadOnlyReason(reason), reason }
    if (denial.readOnly) this.readOnly = true
    this.emit()
    const listeners = [...this.permissionListeners]
    this.permissionListeners.clear()
    listeners.forEach((listener) => listener(denial))
  }

  private emit(): void {
    const snapshot = this.snapshot()
    this.listeners.forEach((listener) => listener(snapshot))
  }
}
