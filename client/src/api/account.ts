// The signed-in person's own settings: password, API tokens; and the audit log (admins).
import { listAll, request } from './http'
import type { ApiToken, AuditEntry, Page, TokenScope } from './types'

export const changePassword = (current: string, next: string): Promise<void> =>
  request('PUT', '/api/me/password', { current, new: next })

export const listTokens = (): Promise<ApiToken[]> => listAll('/api/tokens')
export const createToken = (name: string, scope: TokenScope): Promise<ApiToken & { token: string }> =>
  request('POST', '/api/tokens', { name, scope })
export const revokeToken = (id: number): Promise<void> => request('DELETE', `/api/tokens/${id}`)

/** The newest 200 entries: the log only grows, the screen shows its latest page. */
export const listAudit = async (): Promise<AuditEntry[]> => (await request<Page<AuditEntry>>('GET', '/api/audit?limit=200')).items
