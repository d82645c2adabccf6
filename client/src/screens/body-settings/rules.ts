// The body settings screen's rules without the DOM: which forum a level may name, reading
// whole numbers, and where a 422 from the server belongs. The server checks the same rules
// (`http/escalation/ladder.rs`, `http/escalation/webhooks.rs`); these let the screen say so at
// the field before and after asking it.
import type { LadderForum } from '../../api/settings'
import type { MessageKey } from '../../i18n'

/** As the server checks them. */
export const MAX_LEVELS = 10
export const MAX_DAYS = 250
export const MAX_NAME = 200

/** Whether level `index` may name `forum`: the group itself (depth 0) only at level 0. */
export function mayName(forums: LadderForum[], index: number, forum: number): boolean {
  return forums.some((f) => f.id === forum && (f.depth > 0 || index === 0))
}

/** A whole number in `min..max` from a text field, or null. */
export function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null
  const value = Number(text)
  return value >= min && value <= max ? value : null
}

/** The server's 422 message split into the field it names and the rest (`"url: must …"`). */
export function invalidField(message: string): { field: string; detail: string } | null {
  const match = /^([a-z_]+): (.*)$/s.exec(message)
  return match ? { field: match[1] ?? '', detail: match[2] ?? '' } : null
}

export type LadderTarget = { field: 'margin' } | { field: 'name' | 'days' | 'forum'; level: number }

/** The control a 422 of `PUT /api/bodies/{id}/ladder` is about, or null for none in particular. */
export function ladderTarget(message: string): LadderTarget | null {
  const named = invalidField(message)
  if (!named) return null
  if (named.field === 'overdue_margin_days') return { field: 'margin' }
  if (named.field !== 'levels') return null
  const level = /^level (\d+)/.exec(named.detail)
  if (!level) return null
  const n = Number(level[1])
  if (/response_days/.test(named.detail)) return { field: 'days', level: n }
  if (/needs a name/.test(named.detail)) return { field: 'name', level: n }
  if (/body/.test(named.detail)) return { field: 'forum', level: n }
  return null
}

/** The sentence for the server's reason to refuse a webhook URL, or null for one it has none for. */
export function urlProblem(detail: string): MessageKey | null {
  if (/public address|internal/.test(detail)) return 'bodySettings.webhooks.urlInternal'
  if (/http\(s\)/.test(detail)) return 'bodySettings.webhooks.urlScheme'
  if (/user name or password/.test(detail)) return 'bodySettings.webhooks.urlCredentials'
  if (/at most/.test(detail)) return 'bodySettings.webhooks.urlTooLong'
  return null
}
