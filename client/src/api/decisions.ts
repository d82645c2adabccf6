// Decision requests (asked of a body, answered with an outcome) and the decision register
// (programme-wide and per body), with its CSV and PDF exports carrying the same filters.
import { listAll, request } from './http'
import { registerQuery, type RegisterFilter } from '../screens/meetings/filters'

export type { RegisterFilter }
export type RequestStatus = 'open' | 'aangehouden' | 'besloten' | 'ingetrokken'
export const OUTCOMES = ['akkoord', 'akkoord_onder_voorwaarden', 'niet_akkoord', 'aangehouden'] as const
export type Outcome = (typeof OUTCOMES)[number]
export type DecisionOutcome = Outcome | 'besloten'
export type DecisionSource = 'decision_request' | 'draft' | 'dispute'

export interface DecisionRequestSummary {
  id: number
  body_id: number
  body_name: string
  requesting_body_id: number | null
  requesting_body_name: string | null
  meeting_id: number | null
  meeting_title: string | null
  meeting_starts_at: number | null
  title: string
  deadline: string | null
  status: RequestStatus
}

export interface Decision {
  id: number
  body_id: number
  body_name: string
  source: DecisionSource
  decision_request_id: number | null
  draft_id: number | null
  version_id: number | null
  dispute_id: number | null
  meeting_id: number | null
  meeting_title: string | null
  title: string
  topic: string | null
  outcome: DecisionOutcome
  conditions: string | null
  rationale: string | null
  decided_on: string
  parties: string[]
  follow_up_milestones: { id: number; title: string; due: string }[]
  opened_dispute_id: number | null
  closed_dispute_id: number | null
  recorded_by: string | null
  recorded_at: number
  audit_hash: string | null
}

export interface DecisionRequest extends DecisionRequestSummary {
  question: string
  options: string[]
  asked_of: string | null
  version: { id: number; draft_id: number; draft_title: string; name: string; content_hash: string; status: string } | null
  decisions: Decision[]
  can_decide: boolean
  can_edit: boolean
}

export interface RequestInput {
  title: string
  question: string
  options?: string[]
  asked_of?: string
  requesting_body_id?: number
  meeting_id?: number
  version_id?: number
  deadline?: string
}

export interface FollowUpInput {
  title: string
  due: string
  owners: { party: string; role: 'lead' | 'contributor' }[]
  body_id?: number
}

export interface OutcomeInput {
  outcome: Outcome
  decided_on: string
  meeting_id?: number
  rationale: string
  conditions?: string
  topic?: string
  follow_ups?: FollowUpInput[]
  close_dispute_id?: number
  /** A dispute the decision opens (typically with niet akkoord): the raising party first. */
  open_dispute?: { parties: string[]; statement: string }
}

export const requestsOf = (bodyId: number, status?: RequestStatus): Promise<DecisionRequestSummary[]> =>
  listAll(`/api/bodies/${bodyId}/decision-requests${status ? `?status=${status}` : ''}`)
export const createRequest = (bodyId: number, input: RequestInput): Promise<DecisionRequest> => request('POST', `/api/bodies/${bodyId}/decision-requests`, input)
export const getRequest = (id: number): Promise<DecisionRequest> => request('GET', `/api/decision-requests/${id}`)
export const updateRequest = (id: number, input: Partial<RequestInput>): Promise<DecisionRequest> => request('PATCH', `/api/decision-requests/${id}`, input)
export const withdraw = (id: number): Promise<DecisionRequest> => request('POST', `/api/decision-requests/${id}/withdraw`, {})
export const recordOutcome = (id: number, input: OutcomeInput): Promise<Decision> => request('POST', `/api/decision-requests/${id}/outcome`, input)

/** The register's list: the programme's (no body) or one body's. */
export function register(filter: RegisterFilter, bodyId?: number): Promise<Decision[]> {
  const query = registerQuery(filter, bodyId === undefined).toString()
  const base = bodyId === undefined ? '/api/decisions' : `/api/bodies/${bodyId}/decisions`
  return listAll(`${base}${query ? `?${query}` : ''}`)
}
export function exportUrl(filter: RegisterFilter, format: 'csv' | 'pdf', bodyId?: number): string {
  const query = registerQuery(filter, bodyId === undefined).toString()
  const base = bodyId === undefined ? '/api/decisions' : `/api/bodies/${bodyId}/decisions`
  return `${base}.${format}${query ? `?${query}` : ''}`
}
export const getDecision = (id: number): Promise<Decision> => request('GET', `/api/decisions/${id}`)
