// Shapes of the Polder REST API. Add new resources here as the server gains endpoints.
// Timestamps are milliseconds since the epoch unless noted.

/** A party as a reference (code, optional colour), e.g. in presence. */
export interface PartyRef {
  code: string
  name?: string
  /** CSS colour, e.g. "#154273". */
  color?: string
}

/** `GET /api/me`. */
export interface Me {
  id: number | null
  name: string
  email?: string
  /** Party code, e.g. "VWS"; null for people without a party (the administrator). */
  party?: string | null
  /** "#rrggbb" */
  colour?: string
  is_admin: boolean
  /** A guest account reaches only the consultations it was invited to. */
  is_guest?: boolean
}

/** `{items, total, offset, limit}` of every list endpoint. */
export interface Page<T> {
  items: T[]
  total: number
  offset: number
  limit: number
}

export interface Party {
  id: number
  code: string
  name: string
  colour: string
  is_collective: boolean
  aliases: string[]
  members: (number | string)[]
}

export interface Person {
  id: number
  name: string
  email: string
  party: string | null
  colour: string
  is_admin: boolean
}

export type Participation = 'member' | 'informed'

export interface Body {
  id: number
  name: string
  kind: string
  ladder_level: number
  parent_id: number | null
  parties: { code: string; participation: Participation }[]
}

export type BodyRole = 'chair' | 'secretariat' | 'member' | 'observer'

export interface Member {
  body_id: number
  person_id: number
  name: string
  party: string | null
  role: BodyRole
  holds_mandate: boolean
}

export type DraftStatus = 'concept' | 'consultatie' | 'vastgesteld' | 'aangeboden' | 'besloten' | 'ingetrokken'

export const TEMPLATE_FIELDS = [
  'goal',
  'terms_of_reference',
  'preconditions',
  'composition',
  'timeline',
  'milestones',
  'direction',
] as const
export type TemplateField = (typeof TEMPLATE_FIELDS)[number]
export type Template = Partial<Record<TemplateField, string>>

export interface Draft {
  id: number
  body_id: number
  doc_id: string
  title: string
  status: DraftStatus
  template: Template
  created_by: number
  created_at: number
  updated_at: number
  /** How many of its open points are still open. */
  open_points?: number
}

export interface Transition {
  id: number
  from: DraftStatus
  to: DraftStatus
  by: number
  by_name: string
  note: string | null
  version_id: number | null
  at: number
}

export interface Version {
  id: number
  draft_id: number
  name: string
  status: DraftStatus
  content_hash: string
  /** The person who froze it; null when that is not known. */
  created_by: number | null
  created_at: number
}

export interface Author {
  person_id: number
  name: string
  party: string
  colour: string
}

export type BlockType = 'paragraph' | 'heading' | 'list_item' | 'quote'

export interface ComparedRun {
  change: 'unchanged' | 'inserted' | 'deleted'
  text: string
  author: Author | null
  marks: { bold: boolean; italic: boolean }
}

export interface ComparedBlock {
  kind: { type: BlockType; detail?: number | string | null }
  runs: ComparedRun[]
}

export interface Comparison {
  from: unknown
  to: unknown
  authors: Author[]
  blocks: ComparedBlock[]
}

export interface Comment {
  id: number
  draft_id: number
  thread_id: number
  author_id: number
  author_name: string
  author_party: string | null
  body: string
  anchor_start: string | null
  anchor_end: string | null
  quote: string | null
  mentioned_people: number[]
  mentioned_parties: string[]
  resolved_at: number | null
  resolved_by: number | null
  created_at: number
  anchored_text: string | null
}

export interface NewComment {
  body: string
  thread_id?: number
  anchor?: { start: string; end: string }
  quote?: string
  mention_people?: number[]
  mention_parties?: string[]
  /** Makes the comment an open point too (kind, owner, due date). */
  open_point?: { kind: 'pm' | 'nb' | 'bespreekpunt' | 'datum'; owner_person_id?: number; owner_party?: string; due?: string }
}

export type TokenScope = 'read' | 'write'

export interface ApiToken {
  id: number
  name: string
  scope: string
  created_at?: number
  last_used_at?: number | null
}

export interface AuditEntry {
  id: number
  at: number
  actor: string
  actor_party: string | null
  action: string
  subject: unknown
  hash: string
}

/** One entry of "recently opened documents" (plain documents opened by their id). */
export interface DocumentSummary {
  id: string
  title?: string
  /** ISO 8601 */
  lastOpened?: string
}

// ---- governance (role agreements, action lines and milestones, disputes) ----

export type AgreementRole = 'trekker' | 'medeverantwoordelijk' | 'geconsulteerd' | 'geïnformeerd'
export type SignOffState = 'akkoord' | 'akkoord_met_voorbehoud' | 'niet_akkoord'

export interface SignOff {
  id: number
  party: string
  state: SignOffState
  reservation: string | null
  version_hash: string
  signed_by: number | null
  signed_by_name: string | null
  signed_at: number
  dispute_id: number | null
}

export interface RoleAgreement {
  id: number
  body_id: number
  title: string
  description: string
  draft_id: number | null
  version_hash: string
  updated_at: number
  parties: { party_id: number; code: string; name: string; is_collective: boolean; role: AgreementRole; responsibility: string; sign_off: SignOff | null }[]
}

export interface Owner {
  party_id: number
  code: string
  name: string
  role: string
}

export interface Milestone {
  id: number
  body_id: number
  action_line_id: number | null
  action_line: string | null
  title: string
  description: string
  due: { raw: string; earliest: string | null; latest: string | null; precision: string; uncertain: boolean }
  status: string
  owners: Owner[]
}

export interface ActionLine {
  id: number
  number: string | null
  title: string
  description: string
  owners: Owner[]
}

export interface Counts {
  total: number
  open: number
  due_soon: number
  late: number
}

export interface Dashboard {
  today: string
  due_soon_days: number
  due_soon: Milestone[]
  late: Milestone[]
  by_status: Record<string, number>
  by_party: ({ code: string; name: string } & Counts)[]
  by_action_line: ({ id: number | null; title: string } & Counts)[]
}

export interface Dispute {
  id: number
  body_id: number
  subject_kind: string
  subject_id: number
  title: string
  description: string
  raised_by_party: string
  status: string
  level: number
  respond_by: string
  decision: string | null
  parties: { party_id: number; code: string; has_position: boolean }[]
  created_at: number
}

export interface RowIssue {
  line: number
  reason: string
}

export interface PlannedMilestone {
  line: number
  action_line_key: string | null
  title: string
  due: { raw: string; earliest: string | null; latest: string | null; precision: string; uncertain: boolean }
  lead: string[]
  contributors: string[]
  unknown_parties: string[]
  status: string | null
  note: string | null
}

/** A heading of an imported table: an action line, or a sub-line when it has a parent. */
export interface PlannedActionLine {
  key: string
  title: string
  line: number
  parent_key: string | null
  number: string | null
  level: number
}

/** `POST /api/bodies/{id}/imports`. */
export interface ImportAnswer {
  dry_run: boolean
  summary: string
  flagged: RowIssue[]
  errors: RowIssue[]
  /** Party names the register does not know, once each, with the rows that name them. */
  unknown_parties: { name: string; lines: number[] }[]
  plan: { action_lines: PlannedActionLine[]; milestones: PlannedMilestone[] }
  stored: { action_lines_created: number; action_lines_updated: number; milestones_created: number; milestones_updated: number } | null
}

export interface LadderLevel {
  level: number
  name: string
  forum_body_id: number | null
  response_days: number
}

/** `GET /api/disputes/{id}`. */
export interface DisputeDossier {
  dispute: Dispute & { raised_by_party_id: number; passage: string | null; closed_at: number | null; level_since: number }
  body_name: string
  ladder: LadderLevel[]
  positions: { id: number; party: string; level: number; body: string; stated_by: string | null; with_mandate: boolean; stated_at: number }[]
  options: { id: number; title: string; description: string; party: string | null; proposed_by: string | null; created_at: number }[]
  comments: { id: number; author: string | null; party: string | null; body: string; created_at: number }[]
  events: { kind: string; level: number; actor: string; note: string | null; at: number }[]
}
