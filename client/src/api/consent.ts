// Consent on a draft: endorsement rounds (parties × answer on one version), the gate settings of
// a body, consultations with invited organisations (guests included) and the draft's open points.
import { request } from './http'
import type { Draft } from './types'

export type RoundStatus = 'open' | 'afgerond' | 'vervangen' | 'ingetrokken'
export type AnswerState = 'akkoord' | 'akkoord_met_voorbehoud' | 'niet_akkoord'
export const ANSWER_STATES: AnswerState[] = ['akkoord', 'akkoord_met_voorbehoud', 'niet_akkoord']

export interface Answer {
  id: number
  party_id: number
  party: string
  state: AnswerState
  reservation: string | null
  anchor_quote: string | null
  content_hash: string
  signed_by_name: string | null
  signed_at: number
  dispute_id: number | null
}

export interface RoundParty {
  party_id: number
  code: string
  name: string
  answer: Answer | null
  mandate_holders: string[]
  re_asked: boolean
  previous_state: string | null
  previous_version_id: number | null
}

export interface Round {
  id: number
  draft_id: number
  body_id: number
  version_id: number
  version_name: string
  content_hash: string
  status: RoundStatus
  require_no_open_points: boolean
  note: string | null
  supersedes_id: number | null
  opened_by_name: string | null
  opened_at: number
  closed_at: number | null
  complete: boolean
  open_niet_akkoord: number
  parties: RoundParty[]
}

export interface AnswerResult {
  round: Round
  answer: Answer
  dispute: { opened: boolean; id: number; message: string } | null
}

export interface ConsentSettings {
  require_for_vastgesteld: boolean
  require_for_aangeboden: boolean
}

export const rounds = (draftId: number): Promise<Round[]> => request('GET', `/api/drafts/${draftId}/rounds`)
export const openRound = (draftId: number, input: { version_id: number; require_no_open_points?: boolean; note?: string }): Promise<Round> =>
  request('POST', `/api/drafts/${draftId}/rounds`, input)
export const round = (id: number): Promise<Round> => request('GET', `/api/rounds/${id}`)
export const answer = (
  id: number,
  input: { state: AnswerState; reservation?: string; anchor_quote?: string; expected_hash: string },
): Promise<AnswerResult> => request('POST', `/api/rounds/${id}/answers`, input)
export const withdrawRound = (id: number): Promise<Round> => request('POST', `/api/rounds/${id}/withdraw`)

export const settings = (bodyId: number): Promise<ConsentSettings> => request('GET', `/api/bodies/${bodyId}/consent-settings`)
export const saveSettings = (bodyId: number, input: ConsentSettings): Promise<ConsentSettings> =>
  request('PUT', `/api/bodies/${bodyId}/consent-settings`, input)

// consultations
export type ConsultationStatus = 'aangekondigd' | 'open' | 'gesloten' | 'ingetrokken'

export interface Invitee {
  id: number
  organisation: string
  party: string | null
  name: string
  /** Only for the body's people. */
  email?: string | null
  is_guest: boolean
  invited_at: number
  responded_at: number | null
}

export interface Consultation {
  id: number
  draft_id: number
  body_id: number
  body_name: string
  draft_title: string
  version_id: number
  version_name: string
  content_hash: string
  title: string
  question: string
  status: ConsultationStatus
  opens_on: string | null
  closes_on: string
  summary_draft_id: number | null
  invitees: Invitee[]
  responses_count: number
  my_invitee_id: number | null
}

export interface ResponseComment {
  quote: string | null
  body: string
}

export interface ConsultationResponse {
  id: number
  invitee_id: number
  organisation: string
  text: string
  comments: ResponseComment[]
  attachment: { name: string; type: string; size: number; sha256: string } | null
  submitted_by_name: string | null
  submitted_at: number
}

/** A block of a version as the version route serves it (JSON format). */
export interface VersionBlock {
  kind: string
  level?: number | null
  text: string
}

export interface ConsultationVersion {
  version: { id: number; name: string; content_hash?: string; created_at?: number }
  blocks: unknown[]
}

/** Attachment limit, as the server checks it. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
export const ATTACHMENT_ACCEPT = '.pdf,.docx,.odt,.txt,.png,.jpg,.jpeg,application/pdf,text/plain,image/png,image/jpeg'

export const consultations = (draftId: number): Promise<Consultation[]> => request('GET', `/api/drafts/${draftId}/consultations`)
export const createConsultation = (
  draftId: number,
  input: { version_id: number; title: string; question?: string; opens_on?: string; closes_on: string },
): Promise<Consultation> => request('POST', `/api/drafts/${draftId}/consultations`, input)
export const consultation = (id: number): Promise<Consultation> => request('GET', `/api/consultations/${id}`)
export const consultationVersion = (id: number): Promise<ConsultationVersion> => request('GET', `/api/consultations/${id}/version`)
export const consultationVersionHtmlUrl = (id: number): string => `/api/consultations/${id}/version?format=html`
export const invite = (
  id: number,
  input: { organisation?: string; party?: string; email: string; name: string },
): Promise<{ invitee: Invitee; link: string | null }> => request('POST', `/api/consultations/${id}/invitees`, input)
export const removeInvitee = (id: number, inviteeId: number): Promise<void> => request('DELETE', `/api/consultations/${id}/invitees/${inviteeId}`)
export const guestSession = (secret: string): Promise<{ consultation_id: number }> =>
  request('POST', '/api/guest/session', { secret }, { expectUnauthorized: true })
export const responses = (id: number): Promise<ConsultationResponse[]> => request('GET', `/api/consultations/${id}/responses`)
export const respond = (id: number, input: { text: string; comments: { quote?: string; body: string }[]; attachment?: File | null }): Promise<ConsultationResponse> => {
  const form = new FormData()
  form.set('text', input.text)
  form.set('comments', JSON.stringify(input.comments))
  if (input.attachment) form.set('attachment', input.attachment, input.attachment.name)
  return request('POST', `/api/consultations/${id}/responses`, form)
}
export const attachmentUrl = (responseId: number): string => `/api/consultation-responses/${responseId}/attachment`
export const createSummary = (id: number): Promise<Draft> => request('POST', `/api/consultations/${id}/summary`)
/** Withdraws the consultation (chair, secretariat): 409 when it already is. */
export const withdrawConsultation = (id: number, input: { note?: string } = {}): Promise<Consultation> =>
  request('POST', `/api/consultations/${id}/withdraw`, input)
export const reportUrl = (id: number, format: 'pdf' | 'docx'): string => `/api/consultations/${id}/report.${format}`

// open points
export type OpenPointKind = 'pm' | 'nb' | 'bespreekpunt' | 'datum'
export const OPEN_POINT_KINDS: OpenPointKind[] = ['pm', 'nb', 'bespreekpunt', 'datum']
export type OpenPointStatus = 'voorgesteld' | 'open' | 'gesloten' | 'afgewezen'

export interface OpenPoint {
  id: number
  draft_id: number
  kind: OpenPointKind
  text: string
  quote: string | null
  source: 'comment' | 'marker' | 'manual'
  comment_id: number | null
  owner_person_id: number | null
  owner_name: string | null
  owner_party: string | null
  due: string | null
  status: OpenPointStatus
  created_by_name: string | null
  created_at: number
  closed_by_name: string | null
  closed_at: number | null
  closed_note: string | null
}

export interface OpenPointOwner {
  owner_person_id?: number
  owner_party?: string
  due?: string
}

export const openPoints = (draftId: number, status?: OpenPointStatus): Promise<{ items: OpenPoint[]; open: number; proposed: number }> =>
  request('GET', `/api/drafts/${draftId}/open-points${status ? `?status=${status}` : ''}`)
export const addOpenPoint = (draftId: number, input: { kind: OpenPointKind; text: string; quote?: string } & OpenPointOwner): Promise<OpenPoint> =>
  request('POST', `/api/drafts/${draftId}/open-points`, input)
export const detectOpenPoints = (draftId: number): Promise<{ proposed: OpenPoint[] }> => request('POST', `/api/drafts/${draftId}/open-points/detect`)
export const updateOpenPoint = (
  id: number,
  input: { status?: 'open' | 'gesloten' | 'afgewezen'; text?: string; note?: string } & OpenPointOwner,
): Promise<OpenPoint> => request('PATCH', `/api/open-points/${id}`, input)
