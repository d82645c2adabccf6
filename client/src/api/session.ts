import { ApiError, request } from './http'
import type { Me } from './types'

/** `POST /api/session`: sets the session (HttpOnly) and CSRF cookies. */
export function signIn(email: string, password: string): Promise<void> {
  return request<void>('POST', '/api/session', { email, password }, { expectUnauthorized: true })
}

/** `DELETE /api/session`. */
export function signOut(): Promise<void> {
  return request<void>('DELETE', '/api/session', undefined, { expectUnauthorized: true })
}

/** `GET /api/me`, or `null` when nobody is signed in (asked `GET /api/session` first, which
 * answers without a 401). */
export async function me(): Promise<Me | null> {
  try {
    const state = await request<{ signed_in: boolean }>('GET', '/api/session', undefined, { expectUnauthorized: true })
    if (!state.signed_in) return null
    return await request<Me>('GET', '/api/me', undefined, { expectUnauthorized: true })
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null
    throw error
  }
}
