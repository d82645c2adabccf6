// Meetings of a body: the calendar (every body the caller may read), a body's jaarplanning,
// scheduling, editing and cancelling, the agenda, the pack (PDF and DOCX) and the minutes.
import { listAll, request } from './http'
import type { DecisionRequestSummary } from './decisions'

export const MEETING_KINDS = ['plenary', 'petit_comite', 'theme_table', 'directors_day', 'bo_iza', 'quarterly', 'bilateral', 'other'] as const
export type MeetingKind = (typeof MEETING_KINDS)[number]
export type MeetingStatus = 'gepland' | 'voorlopig' | 'geannuleerd'

export interface MeetingSeries {
  id: number
  body_id: number
  name: string
  kind: string
  aliases: string[]
}

export interface Meeting {
  id: number
  body_id: number
  body_name: string
  series_id: number | null
  series_name: string | null
  title: string
  kind: string
  starts_at: number
  ends_at: number
  /** Local (Europe/Amsterdam) `YYYY-MM-DDTHH:MM`. */
  starts: string
  ends: string
  place: string | null
  online_url: string | null
  status: MeetingStatus
  sequence: number
  minutes_draft_id: number | null
  last_pack_at: number | null
}

export type AgendaKind = 'item' | 'version' | 'milestone' | 'dispute' | 'decision_request'

export interface AgendaLink {
  label: string
  draft_id?: number | null
  content_hash?: string | null
  status?: string | null
}

export interface AgendaItem {
  id: number
  position: number
  kind: AgendaKind
  title: string
  note: string | null
  version_id: number | null
  milestone_id: number | null
  dispute_id: number | null
  decision_request_id: number | null
  link: AgendaLink | null
}

export interface MeetingPack {
  id: number
  meeting_id: number
  sent_at: number
  sent_by: string | null
  pdf_sha256: string
  docx_sha256: string
  pdf_bytes: number
  docx_bytes: number
}

export interface MeetingDetail extends Meeting {
  agenda: AgendaItem[]
  packs: MeetingPack[]
  decision_requests: DecisionRequestSummary[]
  can_steer: boolean
}

export interface MeetingInput {
  title: string
  kind: string
  series_id?: number | null
  starts: string
  ends: string
  place?: string
  online_url?: string
  status?: 'gepland' | 'voorlopig'
}

export interface AgendaInput {
  kind: AgendaKind
  title?: string
  note?: string
  version_id?: number
  milestone_id?: number
  dispute_id?: number
  decision_request_id?: number
}

export function calendarQuery(filter: { from: string; to?: string; body?: number }): string {
  const query = new URLSearchParams({ from: filter.from })
  if (filter.to) query.set('to', filter.to)
  if (filter.body !== undefined) query.set('body', String(filter.body))
  return query.toString()
}

export const calendar = (filter: { from: string; to?: string; body?: number }): Promise<Meeting[]> => listAll(`/api/meetings?${calendarQuery(filter)}`)
export const ofBody = (bodyId: number, year?: number): Promise<Meeting[]> => listAll(`/api/bodies/${bodyId}/meetings${year !== undefined ? `?year=${year}` : ''}`)
export const series = (bodyId: number): Promise<MeetingSeries[]> => listAll(`/api/bodies/${bodyId}/meeting-series`)
export const create = (bodyId: number, input: MeetingInput): Promise<MeetingDetail> => request('POST', `/api/bodies/${bodyId}/meetings`, input)
export const get = (id: number): Promise<MeetingDetail> => request('GET', `/api/meetings/${id}`)
export const update = (id: number, input: Partial<MeetingInput>): Promise<MeetingDetail> => request('PATCH', `/api/meetings/${id}`, input)
export const cancel = (id: number, reason?: string): Promise<MeetingDetail> => request('POST', `/api/meetings/${id}/cancel`, reason ? { reason } : {})

export const addItem = (id: number, input: AgendaInput): Promise<AgendaItem> => request('POST', `/api/meetings/${id}/agenda`, input)
export const updateItem = (id: number, itemId: number, input: { title?: string; note?: string; position?: number }): Promise<AgendaItem> =>
  request('PATCH', `/api/meetings/${id}/agenda/${itemId}`, input)
export const removeItem = (id: number, itemId: number): Promise<void> => request('DELETE', `/api/meetings/${id}/agenda/${itemId}`)

export const sendPack = (id: number, note?: string): Promise<MeetingPack> => request('POST', `/api/meetings/${id}/pack`, note ? { note } : {})
export const packUrl = (packId: number, format: 'pdf' | 'docx'): string => `/api/meeting-packs/${packId}/pack.${format}`

export const createMinutes = (id: number): Promise<MeetingDetail> => request('POST', `/api/meetings/${id}/minutes`)
