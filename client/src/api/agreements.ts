// Role agreements: create, change the topic or one party's row (role and responsibility text),
// remove a party, and who has not yet answered the current version.
import { listAll, request } from './http'
import type { AgreementRole, RoleAgreement, SignOff } from './types'

export interface PartyRow {
  party: string
  role: AgreementRole
  responsibility?: string
}

/** An agreement after a change, with the parties whose sign-off was carried or re-opened. */
export interface Changed {
  agreement: RoleAgreement
  carried: string[]
  reopened: string[]
}

export interface PendingParty {
  code: string
  name: string
  role: AgreementRole
  mandate_holders: string[]
  /** Its last sign-off, when it was re-opened or given on an older version. */
  previous: (SignOff & { superseded_reason: string | null }) | null
}

export const ROLES: AgreementRole[] = ['trekker', 'medeverantwoordelijk', 'geconsulteerd', 'geïnformeerd']

export const create = (
  bodyId: number,
  input: { title: string; description: string; draft_id: number | null; parties: PartyRow[] },
): Promise<RoleAgreement> => request('POST', `/api/bodies/${bodyId}/role-agreements`, input)

export const update = (id: number, input: { title?: string; description?: string; draft_id?: number | null }): Promise<Changed> =>
  request('PATCH', `/api/role-agreements/${id}`, input)

export const setParty = (id: number, party: string, input: { role: AgreementRole; responsibility?: string }): Promise<Changed> =>
  request('PUT', `/api/role-agreements/${id}/parties/${encodeURIComponent(party)}`, input)

export const removeParty = (id: number, party: string): Promise<Changed> =>
  request('DELETE', `/api/role-agreements/${id}/parties/${encodeURIComponent(party)}`)

export const pending = (id: number): Promise<{ version_hash: string; pending: PendingParty[] }> =>
  request('GET', `/api/role-agreements/${id}/pending`)

export const history = (id: number): Promise<SignOff[]> => listAll(`/api/role-agreements/${id}/sign-offs`)

export const get = (id: number): Promise<RoleAgreement> => request('GET', `/api/role-agreements/${id}`)
