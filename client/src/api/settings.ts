// A body's settings for its chair, secretariat and administrators: the escalation ladder with
// the bodies its levels may name, webhooks with their delivery log, and party calendar feeds.
import { listAll, request, requestBlob } from './http'
import type { LadderLevel, Page } from './types'

/** `GET|PUT /api/bodies/{id}/ladder`. */
export interface LadderSettings {
  body_id: number
  /** Nothing stored: the ladder follows the body's parent chain. */
  is_default: boolean
  levels: LadderLevel[]
  /** Working days a milestone may be overdue before it opens a dispute. */
  overdue_margin_days: number
  /** Whether overdue milestones open disputes at all. */
  auto_dispute: boolean
}

/** `GET /api/bodies/{id}/ladder/forums`: a body a ladder level may name. */
export interface LadderForum {
  id: number
  name: string
  kind: string
  /** 0 is the working group itself (level 0 only), 1 the body it reports to, … */
  depth: number
}

export interface LadderInput {
  levels: { name: string; forum_body_id: number | null; response_days: number }[]
  overdue_margin_days: number
  auto_dispute: boolean
}

export interface Webhook {
  id: number
  body_id: number
  url: string
  active: boolean
  created_at: number
}

/** The answer to adding a webhook: its signing secret, shown this once. */
export interface CreatedWebhook {
  id: number
  url: string
  secret: string
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled'

/** One delivery of the log: whether it arrived, never what the receiver answered. */
export interface Delivery {
  id: number
  event_key: string
  status: DeliveryStatus
  reason: string | null
  created_at: number
  attempts: { attempt: number; result: 'delivered' | 'failed'; at: number }[]
}

/** `GET /api/me/calendar-feeds` (without the secret). */
export interface Feed {
  id: number
  person_id: number | null
  party_id: number | null
  created_by: number | null
  created_at: number
  revoked_at: number | null
}

/** A feed just created: its address, shown this once. */
export interface CreatedFeed {
  id: number
  path: string
}

export const ladder = (bodyId: number): Promise<LadderSettings> => request('GET', `/api/bodies/${bodyId}/ladder`)
export const saveLadder = (bodyId: number, input: LadderInput): Promise<LadderSettings> => request('PUT', `/api/bodies/${bodyId}/ladder`, input)
export const ladderForums = (bodyId: number): Promise<LadderForum[]> => listAll(`/api/bodies/${bodyId}/ladder/forums`)

export const webhooks = (bodyId: number): Promise<Webhook[]> => listAll(`/api/bodies/${bodyId}/webhooks`)
export const addWebhook = (bodyId: number, url: string): Promise<CreatedWebhook> => request('POST', `/api/bodies/${bodyId}/webhooks`, { url })
export const switchOffWebhook = (id: number): Promise<void> => request('DELETE', `/api/webhooks/${id}`)
export const deliveries = (webhookId: number, offset: number, limit: number): Promise<Page<Delivery>> =>
  request('GET', `/api/webhooks/${webhookId}/deliveries?offset=${offset}&limit=${limit}`)
// Calendar feeds: `inbox.feeds`, `inbox.createPartyFeed`, `inbox.revokeFeed`.

/** `GET /api/bodies/{id}/archive.zip` (administrators): the body's complete record as a zip. */
export function archiveUrl(bodyId: number): string {
  return `/api/bodies/${bodyId}/archive.zip`
}

/** Downloads the body's archive (administrators); it can take a while for a large body. */
export async function archive(bodyId: number): Promise<Blob> {
  return requestBlob(archiveUrl(bodyId))
}
