// The signed-in person's own settings: password, API tokens; and the audit log (admins).
import { request } from './http'
import type { ApiToken, AuditEntry, Page, TokenScope } from './types'

export const changePassword = (current: string, next: string): Promise<void> =>
  request('PUT', '/api/me/password', { current, new: next })

export const listTokens = async (): Promise<ApiToken[]> => {
  const result = await request<ApiToken[] | Page<ApiToken>>('GET', '/api/tokens')
  return Array.isArray(result) ? result : result.items
}
export const createToken = (name: string, scope: TokenScope): Promise<ApiToken & { token: string }> =>
  request('POST', '/api/tokens', { name, scope })
export const revokeToken = (id: number): Promise<void> => request('DELETE', `/api/tokens/${id}`)

export const listAudit = async (): Promise<AuditEntry[]> => {
  const result = await request<AuditEntry[] | Page<AuditEntry>>('GET', '/api/audit?limit=200')
  return Array.isArray(result) ? result : result.items
}
