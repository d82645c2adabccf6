// Words for the programme screens: statuses, precisions, reminder stages and days written out
// in the current language.
import { getLang, t, type MessageKey } from '../../i18n'

export const STATUSES = ['gepland', 'op_koers', 'risico', 'te_laat', 'verschoven', 'gereed', 'vervallen'] as const
export const FINAL_STATUSES: readonly string[] = ['gereed', 'vervallen']

export const STATUS_KEYS: Record<string, MessageKey> = {
  gepland: 'milestone.gepland',
  op_koers: 'milestone.op_koers',
  risico: 'milestone.risico',
  te_laat: 'milestone.te_laat',
  verschoven: 'milestone.verschoven',
  gereed: 'milestone.gereed',
  vervallen: 'milestone.vervallen',
}

export const statusText = (status: string): string => (STATUS_KEYS[status] ? t(STATUS_KEYS[status]) : status)

/** The statuses a milestone may go to from `from` (docs/DOMAIN.md §6). */
export function nextStatuses(from: string): string[] {
  if (FINAL_STATUSES.includes(from)) return []
  return STATUSES.filter((s) => s !== from || s === 'verschoven')
}

const PRECISION_KEYS: Record<string, MessageKey> = {
  day: 'pm.precision.day',
  month: 'pm.precision.month',
  quarter: 'pm.precision.quarter',
  half: 'pm.precision.half',
  season: 'pm.precision.season',
  year: 'pm.precision.year',
  relative: 'pm.precision.relative',
  unknown: 'pm.precision.unknown',
}

export const precisionText = (precision: string): string => (PRECISION_KEYS[precision] ? t(PRECISION_KEYS[precision]) : precision)

/** `2026-07-03` as "3 juli 2026" / "3 July 2026". */
export function dayText(iso: string | null | undefined): string {
  if (!iso) return '—'
  const [y, m, d] = iso.split('-').map(Number)
  if (!y || !m || !d) return iso
  return new Intl.DateTimeFormat(getLang() === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))
}

/** How a due window reads: "1 juli 2025 – 30 september 2025 (kwartaal)". */
export function windowText(due: { earliest: string | null; latest: string | null; precision: string; uncertain: boolean }): string {
  const precision = precisionText(due.precision)
  const uncertain = due.uncertain ? t('pm.uncertain') : ''
  if (!due.earliest && !due.latest) return t('pm.window.none', { precision, uncertain })
  if (due.earliest === due.latest) return t('pm.window.day', { day: dayText(due.latest), precision, uncertain })
  if (!due.earliest) return t('pm.window.until', { to: dayText(due.latest), precision, uncertain })
  if (!due.latest) return t('pm.window.from', { from: dayText(due.earliest), precision, uncertain })
  return t('pm.window.range', { from: dayText(due.earliest), to: dayText(due.latest), precision, uncertain })
}

/** A reminder stage (`d-14`, `d0`, `overdue-2`) in words. */
export function stageText(stage: string): string {
  if (stage === 'd0') return t('pm.stage.onDay')
  const before = /^d-(\d+)$/.exec(stage)
  if (before) return t('pm.stage.before', { days: Number(before[1]) })
  const overdue = /^overdue-(\d+)$/.exec(stage)
  if (overdue) return t('pm.stage.overdue', { week: Number(overdue[1]) })
  return stage
}
