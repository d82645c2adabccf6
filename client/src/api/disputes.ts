// Raising a dispute, with the options proposed with it, and where a dispute's subject lives.
import { request } from './http'
import type { Dispute } from './types'

/** What a dispute is about, as the server names it. */
export type SubjectKind = 'draft_passage' | 'role_agreement' | 'milestone'

export interface RaiseInput {
  subject_kind: SubjectKind
  subject_id: number
  title: string
  description: string
  /** The other parties involved, by code (the raising party is always involved). */
  parties: string[]
  /** The quoted passage, for a dispute on a draft passage. */
  passage?: string
  /** Options proposed with it, stored in the same transaction as the dispute. */
  options?: { title: string; description: string }[]
}

export type RaisedDispute = Dispute & { subject_id: number; passage: string | null }

export const raise = (bodyId: number, input: RaiseInput): Promise<RaisedDispute> => request('POST', `/api/bodies/${bodyId}/disputes`, input)

/** The screen (and anchor) where a dispute's subject is shown. */
export function subjectPath(dispute: { id: number; body_id: number; subject_kind: string; subject_id: number }): string {
  switch (dispute.subject_kind) {
    case 'draft_passage':
      return `/drafts/${dispute.subject_id}?dispute=${dispute.id}`
    case 'role_agreement':
      return `/groups/${dispute.body_id}#agreement-${dispute.subject_id}`
    case 'milestone':
      return `/milestones/${dispute.subject_id}`
    default:
      return `/groups/${dispute.body_id}`
  }
}
