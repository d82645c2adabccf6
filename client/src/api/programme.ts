// The programme team's routes: action lines and milestones created and edited, status changes
// (rescheduling included), progress notes, links, due dates read as typed, filtered lists and
// the export addresses.
import { listAll, request } from './http'
import type { ActionLine, Milestone, Page } from './types'

/** The due date as the server reads it. */
export interface Due {
  raw: string
  earliest: string | null
  latest: string | null
  precision: string
  uncertain: boolean
}

export interface OwnerInput {
  party: string
  role: 'lead' | 'contributor'
}

export interface StatusChange {
  id: number
  kind: string
  from: string
  to: string
  reason: string | null
  agreed_with: string | null
  old_due: string | null
  new_due: string | null
  new_due_earliest: string | null
  new_due_latest: string | null
  by: number | null
  by_name: string | null
  at: number
}

export interface MilestoneNote {
  id: number
  author_id: number | null
  author_name: string | null
  body: string
  created_at: number
}

export interface MilestoneLink {
  id: number
  draft_id: number | null
  comment_id: number | null
  anchor: string | null
  decision_text: string | null
  created_by: number | null
  created_at: number
}

export interface MilestoneDetail extends Milestone {
  source_ref: string | null
  created_at: number
  updated_at: number
  history: StatusChange[]
  notes: MilestoneNote[]
  links: MilestoneLink[]
  next_reminder: { stage: string; on: string } | null
  overdue_dispute_on: string | null
  start?: string | null
  start_on?: string | null
  follows?: number | null
  follows_title?: string | null
  follows_due?: string | null
  lag_days?: number
  predecessor_slipped?: boolean
  predecessor_line_late?: boolean
  recurrence_id?: number | null
  recurrence?: string | null
}

/** Filters of the programme lists, as in the URL query. */
export interface ProgrammeFilter {
  party?: string
  action_line?: number
  status?: string
  period?: string
}

export function filterQuery(filter: ProgrammeFilter): URLSearchParams {
  const query = new URLSearchParams()
  if (filter.party) query.set('party', filter.party)
  if (filter.action_line !== undefined) query.set('action_line', String(filter.action_line))
  if (filter.status) query.set('status', filter.status)
  if (filter.period) query.set('period', filter.period)
  return query
}

export const milestones = (bodyId: number, filter: ProgrammeFilter): Promise<Milestone[]> => listAll(`/api/bodies/${bodyId}/milestones?${filterQuery(filter).toString()}`)
export const csvUrl = (bodyId: number, filter: ProgrammeFilter): string => {
  const query = filterQuery(filter).toString()
  return `/api/bodies/${bodyId}/milestones.csv${query ? `?${query}` : ''}`
}

export const actionLine = (id: number): Promise<ActionLine & { body_id: number; milestones: Milestone[] }> => request('GET', `/api/action-lines/${id}`)
export const createActionLine = (bodyId: number, input: { title: string; description: string; number?: string; owners: OwnerInput[] }): Promise<ActionLine> =>
  request('POST', `/api/bodies/${bodyId}/action-lines`, input)
export const updateActionLine = (id: number, input: { title?: string; description?: string; number?: string; owners?: OwnerInput[] }): Promise<ActionLine> =>
  request('PATCH', `/api/action-lines/${id}`, input)

export const milestone = (id: number, today?: string): Promise<MilestoneDetail> => request('GET', `/api/milestones/${id}${today ? `?today=${encodeURIComponent(today)}` : ''}`)
export interface MilestoneInput {
  title: string
  description: string
  due: string
  action_line_id?: number
  owners: OwnerInput[]
  source_ref?: string
  start?: string
  follows?: number | null
  lag_days?: number
  recurrence?: string
  recurrence_until?: string
}
export const createMilestone = (bodyId: number, input: MilestoneInput): Promise<MilestoneDetail> => request('POST', `/api/bodies/${bodyId}/milestones`, input)
export const updateMilestone = (id: number, input: Partial<MilestoneInput> & { due_reason?: string }): Promise<MilestoneDetail> => request('PATCH', `/api/milestones/${id}`, input)
export const changeStatus = (id: number, input: { status: string; reason?: string; new_due?: string; agreed_with?: string }): Promise<MilestoneDetail> =>
  request('POST', `/api/milestones/${id}/status`, input)
export const addNote = (id: number, body: string): Promise<Page<MilestoneNote>> => request('POST', `/api/milestones/${id}/notes`, { body })
export const addLink = (id: number, input: { draft_id?: number; anchor?: string; decision_text?: string }): Promise<Page<MilestoneLink>> =>
  request('POST', `/api/milestones/${id}/links`, input)

export const parseDue = (text: string, signal?: AbortSignal): Promise<Due> =>
  request('GET', `/api/due-dates/parse?text=${encodeURIComponent(text)}`, undefined, signal ? { signal } : {})
