// The calendar's month grid and days, without runtime imports (the unit tests load it as is).
// Days are `YYYY-MM-DD` calendar days: the arithmetic runs on UTC noon, so no daylight-saving
// change can move a day; a meeting belongs to the day of its local (Europe/Amsterdam) start.

export interface GridDay {
  day: string
  /** Day of the month, 1–31. */
  date: number
  inMonth: boolean
}

export interface GridWeek {
  /** ISO 8601 week number of the week's Monday. */
  week: number
  days: GridDay[]
}

const pad = (n: number): string => String(n).padStart(2, '0')

export function dayOf(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

function noon(year: number, month: number, date: number): Date {
  return new Date(Date.UTC(year, month - 1, date, 12))
}

/** The days from `day` moved by `days` (negative: back). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return dayOf(noon(y, m, d + days))
}

/** ISO week number of a day. */
export function isoWeek(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const target = noon(y, m, d)
  // the Thursday of the same week decides the year the week belongs to
  target.setUTCDate(target.getUTCDate() - ((target.getUTCDay() + 6) % 7) + 3)
  const thursday = target.getTime()
  const firstThursday = noon(target.getUTCFullYear(), 1, 1)
  if (firstThursday.getUTCDay() !== 4) firstThursday.setUTCMonth(0, 1 + ((4 - firstThursday.getUTCDay() + 7) % 7))
  return 1 + Math.round((thursday - firstThursday.getTime()) / (7 * 86_400_000))
}

/** The weeks (Monday first) that show `month` (1–12) of `year`, whole weeks from its first to its last day. */
export function monthGrid(year: number, month: number): GridWeek[] {
  const first = noon(year, month, 1)
  const lead = (first.getUTCDay() + 6) % 7
  const daysInMonth = new Date(Date.UTC(year, month, 0, 12)).getUTCDate()
  const cells = Math.ceil((lead + daysInMonth) / 7) * 7
  const weeks: GridWeek[] = []
  for (let i = 0; i < cells; i += 7) {
    const days: GridDay[] = []
    for (let j = 0; j < 7; j += 1) {
      const date = noon(year, month, 1 - lead + i + j)
      days.push({ day: dayOf(date), date: date.getUTCDate(), inMonth: date.getUTCMonth() === month - 1 })
    }
    weeks.push({ week: isoWeek(days[0]?.day ?? dayOf(first)), days })
  }
  return weeks
}

/** The first and the last day of a month. */
export function monthRange(year: number, month: number): { from: string; to: string } {
  return { from: dayOf(noon(year, month, 1)), to: dayOf(new Date(Date.UTC(year, month, 0, 12))) }
}

/** The month before (-1) or after (+1). */
export function shiftMonth(year: number, month: number, by: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + by
  return { year: Math.floor(index / 12), month: (index % 12) + 1 }
}

/** `YYYY-MM` of a query value, or null. */
export function parseMonth(text: string | null): { year: number; month: number } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(text ?? '')
  if (!match) return null
  const month = Number(match[2])
  return month >= 1 && month <= 12 ? { year: Number(match[1]), month } : null
}

/** Today in Dutch time as `YYYY-MM-DD`. */
export function todayInAmsterdam(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** Items grouped by the day of their local start (`starts` is `YYYY-MM-DDTHH:MM`), in start order. */
export function byDay<T extends { starts: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of [...items].sort((a, b) => a.starts.localeCompare(b.starts))) {
    const day = item.starts.slice(0, 10)
    const list = map.get(day)
    if (list) list.push(item)
    else map.set(day, [item])
  }
  return map
}

/** Items grouped by `YYYY-MM` of their local start, months in order. */
export function byMonth<T extends { starts: string }>(items: T[]): [string, T[]][] {
  const map = new Map<string, T[]>()
  for (const item of [...items].sort((a, b) => a.starts.localeCompare(b.starts))) {
    const key = item.starts.slice(0, 7)
    const list = map.get(key)
    if (list) list.push(item)
    else map.set(key, [item])
  }
  return [...map.entries()]
}

/** The local time of `YYYY-MM-DDTHH:MM` ("14:30"). */
export const timeOf = (local: string): string => local.slice(11, 16)
