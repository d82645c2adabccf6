// Close codes of the Polder sync and inbox sockets that mean "do not reconnect": the server
// ended the connection because its credential or access ended (shared/src/close.rs). y-websocket
// reconnects on every close, so the connection code checks these first.
import type { MessageKey } from '../../i18n'

/** The credential ended: token revoked, signed out, session expired, password changed. */
export const CREDENTIAL_REVOKED = 4401
/** The credential is valid but no longer gives access to this document. */
export const ACCESS_REVOKED = 4403

/** Whether reconnecting cannot help (the 4400–4499 range). */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500
}

/** What to tell the person after a permanent close. */
export function permanentCloseMessage(code: number): MessageKey {
  if (code === CREDENTIAL_REVOKED) return 'connection.signedOut'
  if (code === ACCESS_REVOKED) return 'connection.accessEnded'
  return 'connection.ended'
}
