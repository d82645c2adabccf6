// Role agreements, action lines / milestones / dashboard, disputes. These routes arrive while
// the client is being built: every read is `optional` (null while the server answers 404).
import { optional } from './directory'
import { request } from './http'
import type { ActionLine, Dashboard, Dispute, Milestone, Page, RoleAgreement, SignOff, SignOffState } from './types'

function items<T>(result: T[] | Page<T> | null): T[] | null {
  if (result === null) return null
  return Array.isArray(result) ? result : result.items
}

export const roleAgreements = async (bodyId: number): Promise<RoleAgreement[] | null> =>
  items(await optional<RoleAgreement[] | Page<RoleAgreement>>(`/api/bodies/${bodyId}/role-agreements?limit=200`))
export const signOff = (agreementId: number, input: { state: SignOffState; reservation?: string; version_hash: string }): Promise<{ sign_off: SignOff; agreement: RoleAgreement; dispute: { opened: boolean; id: number | null; message: string | null } | null }> =>
  request('POST', `/api/role-agreements/${agreementId}/sign-offs`, input)

export const actionLines = async (bodyId: number): Promise<ActionLine[] | null> =>
  items(await optional<ActionLine[] | Page<ActionLine>>(`/api/bodies/${bodyId}/action-lines?limit=200`))
export const milestones = async (bodyId: number): Promise<Milestone[] | null> =>
  items(await optional<Milestone[] | Page<Milestone>>(`/api/bodies/${bodyId}/milestones?limit=200`))
export const dashboard = (bodyId: number): Promise<Dashboard | null> => optional<Dashboard>(`/api/bodies/${bodyId}/dashboard`)

export const disputes = async (bodyId: number): Promise<Dispute[] | null> =>
  items(await optional<Dispute[] | Page<Dispute>>(`/api/bodies/${bodyId}/disputes?limit=200`))
