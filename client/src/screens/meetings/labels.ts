// How meetings, decision requests and decisions are named on screen: kinds, statuses and
// outcomes as text chips (never colour alone), a meeting's time, the link to a decision's source.
import type { Decision, DecisionSource, RequestStatus } from '../../api/decisions'
import type { Meeting } from '../../api/meetings'
import { formatDay, getLang, t, tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'
import { timeOf } from './month'
import './meetings.css'

export const MEETING_KIND_KEYS: Record<string, MessageKey> = {
  plenary: 'meetingKind.plenary',
  petit_comite: 'meetingKind.petit_comite',
  theme_table: 'meetingKind.theme_table',
  directors_day: 'meetingKind.directors_day',
  bo_iza: 'meetingKind.bo_iza',
  quarterly: 'meetingKind.quarterly',
  bilateral: 'meetingKind.bilateral',
  other: 'meetingKind.other',
}

const MEETING_STATUS_KEYS: Record<string, MessageKey> = {
  gepland: 'meetingStatus.gepland',
  voorlopig: 'meetingStatus.voorlopig',
  geannuleerd: 'meetingStatus.geannuleerd',
}

export const REQUEST_STATUS_KEYS: Record<RequestStatus, MessageKey> = {
  open: 'requestStatus.open',
  aangehouden: 'requestStatus.aangehouden',
  besloten: 'requestStatus.besloten',
  ingetrokken: 'requestStatus.ingetrokken',
}

export const OUTCOME_KEYS: Record<string, MessageKey> = {
  akkoord: 'outcome.akkoord',
  akkoord_onder_voorwaarden: 'outcome.akkoord_onder_voorwaarden',
  niet_akkoord: 'outcome.niet_akkoord',
  aangehouden: 'outcome.aangehouden',
  besloten: 'outcome.besloten',
}

export const SOURCE_KEYS: Record<DecisionSource, MessageKey> = {
  decision_request: 'decisionSource.decision_request',
  draft: 'decisionSource.draft',
  dispute: 'decisionSource.dispute',
}

function chip(kind: string, value: string, keys: Record<string, MessageKey>): HTMLElement {
  const el = h('span', { class: `state-chip ${kind}-${value.replace(/[^a-z_]/g, '')}`, 'data-state': value })
  const key = keys[value]
  if (key) tr(el, key)
  else el.textContent = value
  return el
}

export const meetingChip = (status: string): HTMLElement => chip('meeting', status, MEETING_STATUS_KEYS)
export const requestChip = (status: string): HTMLElement => chip('request', status, REQUEST_STATUS_KEYS)
export const outcomeChip = (outcome: string): HTMLElement => chip('outcome', outcome, OUTCOME_KEYS)
export const kindText = (kind: string): string => t(MEETING_KIND_KEYS[kind] ?? 'meetingKind.other')

/** "26 mei 2026, 10:00–12:00" in the current language (local Dutch times as the server gives them). */
export function whenText(meeting: Pick<Meeting, 'starts' | 'ends'>): string {
  const day = meeting.starts.slice(0, 10)
  const endDay = meeting.ends.slice(0, 10)
  const end = endDay === day ? timeOf(meeting.ends) : `${formatDay(endDay)} ${timeOf(meeting.ends)}`
  return `${formatDay(day)}, ${timeOf(meeting.starts)}–${end}`
}

/** "maart 2026" of `YYYY-MM` in the current language. */
export function monthName(key: string): string {
  const [year, month] = key.split('-').map(Number) as [number, number]
  return new Intl.DateTimeFormat(getLang() === 'nl' ? 'nl-NL' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 15, 12)))
}

/** The weekday names, Monday first: [short, long]. */
export function weekdayNames(): [string, string][] {
  const locale = getLang() === 'nl' ? 'nl-NL' : 'en-GB'
  const short = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' })
  const long = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' })
  // 5 January 2026 is a Monday
  return Array.from({ length: 7 }, (_, i) => {
    const date = new Date(Date.UTC(2026, 0, 5 + i, 12))
    return [short.format(date), long.format(date)]
  })
}

/** A meeting's title as a link; a cancelled one struck through and saying so in words. */
export function meetingLink(meeting: Meeting, withBody = true): HTMLElement {
  const cancelled = meeting.status === 'geannuleerd'
  const label = `${meeting.title}${withBody ? ` — ${meeting.body_name}` : ''}`
  const link = h('a', { href: `/meetings/${meeting.id}`, 'data-link': true, class: 'meeting-link', 'data-meeting': String(meeting.id) }, cancelled ? h('s', {}, label) : label)
  return h(
    'span',
    { class: `meeting-entry${cancelled ? ' meeting-cancelled' : ''}`, 'data-status': meeting.status },
    link,
    meeting.status !== 'gepland' ? h('span', {}, ' ', meetingChip(meeting.status)) : null,
  )
}

/** Where a decision came from: its request, its draft or its dispute. */
export function sourcePath(d: Decision): string | null {
  if (d.source === 'decision_request' && d.decision_request_id !== null) return `/decision-requests/${d.decision_request_id}`
  if (d.source === 'draft' && d.draft_id !== null) return `/drafts/${d.draft_id}`
  if (d.source === 'dispute' && d.dispute_id !== null) return `/disputes/${d.dispute_id}`
  if (d.decision_request_id !== null) return `/decision-requests/${d.decision_request_id}`
  return null
}

/** "12,3 kB" */
export function sizeText(bytes: number): string {
  const lang = getLang() === 'nl' ? 'nl-NL' : 'en-GB'
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(bytes / 1024)} kB`
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024)} MB`
}
