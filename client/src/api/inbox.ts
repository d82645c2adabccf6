// The in-app inbox (`/api/notifications`, live at `/ws/inbox`), e-mail settings and calendar
// feeds of the signed-in person.
import { listAll, request } from './http'
import type { Page } from './types'
import type { CreatedFeed, Feed } from './settings'

/** Why the person is notified (the `type` tag, and what else that kind carries). */
export interface NotificationKind {
  type: string
  /** mention: who wrote the comment. */
  by?: string
  /** status_change: the status it has now. */
  status?: string
  /** agreement_change: whether the agreement is new. */
  created?: boolean
  /** dispute_change: raised, resolved or withdrawn. */
  change?: string
  /** due_moved: the day it was due and the day it is due now (`YYYY-MM-DD`, null when none). */
  from?: string | null
  to?: string | null
  /** meeting: pack_sent, moved or cancelled; consultation: aangekondigd, uitnodiging,
   * herinnering or gesloten. */
  news?: string
  /** meeting: the pack sent. */
  pack?: number | null
  /** decision: what was decided (akkoord, akkoord_onder_voorwaarden, niet_akkoord, aangehouden). */
  outcome?: string
  /** decision, decision_request: the request. */
  request?: number
  /** open_point: working days left until its due date (0: due today); null when the person
   * or their party was made its owner. */
  days_before?: number | null
}

export interface InboxItem {
  id: number
  kind: string
  subject_ref: string
  party: string | null
  notification: { kind?: NotificationKind; title: string; body: string; due: string | null; link: string | null; subject_ref: string }
  created_at: number
  read: boolean
}

export interface NotificationSettings {
  email: 'immediate' | 'daily_digest' | 'off'
  language: 'nl' | 'en'
}

/** A calendar feed (its secret address is shown once, when it is made). */
export type CalendarFeed = Feed

export const unreadCount = async (): Promise<number> => (await request<{ unread: number }>('GET', '/api/notifications/unread-count')).unread
export const list = (): Promise<Page<InboxItem>> => request('GET', '/api/notifications?limit=100')
export const markRead = (id: number, read: boolean): Promise<void> => request(read ? 'POST' : 'DELETE', `/api/notifications/${id}/read`)
export const readAll = (): Promise<void> => request('POST', '/api/notifications/read-all')

export const settings = (): Promise<NotificationSettings> => request('GET', '/api/me/notification-settings')
export const saveSettings = (input: NotificationSettings): Promise<NotificationSettings> => request('PUT', '/api/me/notification-settings', input)

export const feeds = (): Promise<CalendarFeed[]> => listAll('/api/me/calendar-feeds')
export const createFeed = (): Promise<CreatedFeed> => request('POST', '/api/me/calendar-feeds')
export const createPartyFeed = (code: string): Promise<CreatedFeed> => request('POST', `/api/parties/${encodeURIComponent(code)}/calendar-feeds`)
export const revokeFeed = (id: number): Promise<void> => request('DELETE', `/api/calendar-feeds/${id}`)
