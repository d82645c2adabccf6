// Role agreements, action lines / milestones / dashboard, disputes.
import { listAll, request } from './http'
import type { ActionLine, Dashboard, Dispute, DisputeDossier, ImportAnswer, Milestone, Party, RoleAgreement, SignOff, SignOffState } from './types'

export const roleAgreements = (bodyId: number): Promise<RoleAgreement[]> => listAll(`/api/bodies/${bodyId}/role-agreements`)
export const signOff = (agreementId: number, input: { state: SignOffState; reservation?: string; version_hash: string }): Promise<{ sign_off: SignOff; agreement: RoleAgreement; dispute: { opened: boolean; id: number | null; message: string | null } | null }> =>
  request('POST', `/api/role-agreements/${agreementId}/sign-offs`, input)

export const actionLines = (bodyId: number): Promise<ActionLine[]> => listAll(`/api/bodies/${bodyId}/action-lines`)
export const milestones = (bodyId: number): Promise<Milestone[]> => listAll(`/api/bodies/${bodyId}/milestones`)
export const dashboard = (bodyId: number): Promise<Dashboard> => request('GET', `/api/bodies/${bodyId}/dashboard`)

export const disputes = (bodyId: number): Promise<Dispute[]> => listAll(`/api/bodies/${bodyId}/disputes`)

export const milestonesFor = (bodyId: number, filter: { party?: string; action_line?: number; status?: string } = {}): Promise<Milestone[]> => {
  const query = new URLSearchParams()
  if (filter.party) query.set('party', filter.party)
  if (filter.action_line !== undefined) query.set('action_line', String(filter.action_line))
  if (filter.status) query.set('status', filter.status)
  return listAll(`/api/bodies/${bodyId}/milestones?${query.toString()}`)
}
export const dashboardOn = (bodyId: number, today?: string): Promise<Dashboard> =>
  request('GET', `/api/bodies/${bodyId}/dashboard${today ? `?today=${encodeURIComponent(today)}` : ''}`)
export const allActionLines = (bodyId: number): Promise<ActionLine[]> => listAll(`/api/bodies/${bodyId}/action-lines`)

export type ImportFormat = 'csv' | 'tsv' | 'xlsx'
/** Sends a milestone table as the raw body; `dryRun` only reports what would happen. */
export const importTable = (bodyId: number, file: Blob, input: { dryRun: boolean; format: ImportFormat; name: string }): Promise<ImportAnswer> =>
  request(
    'POST',
    `/api/bodies/${bodyId}/imports?dry_run=${input.dryRun ? 'true' : 'false'}&format=${input.format}&name=${encodeURIComponent(input.name)}`,
    file,
  )

/** Resolves a party name an import met: map it to an existing party, or create a party for it. */
export const resolveImportParty = (
  bodyId: number,
  input: { name: string; party: string } | { name: string; create: { code: string; name: string; colour: string } },
): Promise<Party> => request('POST', `/api/bodies/${bodyId}/imports/parties`, input)

export const dispute = (id: number): Promise<DisputeDossier> => request('GET', `/api/disputes/${id}`)
export const statePosition = (id: number, text: string): Promise<Dispute> => request('POST', `/api/disputes/${id}/positions`, { text })
export const proposeOption = (id: number, title: string, description: string): Promise<{ id: number }> =>
  request('POST', `/api/disputes/${id}/options`, { title, description })
export const commentOnDispute = (id: number, text: string): Promise<{ id: number }> => request('POST', `/api/disputes/${id}/comments`, { text })
export const escalate = (id: number, note?: string): Promise<Dispute> => request('POST', `/api/disputes/${id}/escalate`, note ? { note } : {})
export const resolve = (id: number, decision: string): Promise<Dispute> => request('POST', `/api/disputes/${id}/resolve`, { decision })
export const withdraw = (id: number, note?: string): Promise<Dispute> => request('POST', `/api/disputes/${id}/withdraw`, note ? { note } : {})
