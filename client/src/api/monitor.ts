// The programme monitor across every body the person may read (GET /api/programme/monitor).
import { request } from './http'

export interface MonitorCounts {
  total: number
  open: number
  due_soon: number
  late: number
  moved: number
  done: number
}

export interface MonitorRow<K> extends MonitorCounts {
  key: K
  name: string
}

export interface MonitorMove {
  reason: string | null
  agreed_with: string | null
  old_due: string | null
  new_due: string | null
  on: string
}

export interface MonitorItem {
  id: number
  body_id: number
  body: string
  title: string
  status: string
  due_raw: string
  due: string | null
  start: string | null
  follows: number | null
  predecessor_slipped: boolean
  action_line_id: number | null
  action_line: string | null
  owners: { code: string; role: string }[]
  moved: MonitorMove | null
  done_on: string | null
}

export interface Capped<T> {
  items: T[]
  truncated: boolean
}

export interface MonitorSpan {
  id: number
  title: string
  body: string
  status: string
  from: string
  to: string
  from_source: 'start' | 'predecessor' | 'created'
  predecessor_slipped: boolean
}

export interface MonitorOwed {
  id: number
  title: string
  body_id: number
  body: string
  due_raw: string
  due: string | null
  status: string
  with: string[]
}

export interface Monitor {
  today: string
  overall: MonitorCounts
  by_body: MonitorRow<number>[]
  by_party: MonitorRow<string>[]
  by_action_line: MonitorRow<{ body_id: number; action_line_id: number | null }>[]
  by_quarter: MonitorRow<string>[]
  due_soon: Capped<MonitorItem>
  late: Capped<MonitorItem>
  moved: Capped<MonitorItem>
  recently_done: Capped<MonitorItem>
  timeline: Capped<MonitorSpan>
  owes: ({ code: string; name: string } & Capped<MonitorOwed>)[]
  bodies: { id: number; name: string }[]
  milestones_truncated: boolean
}

/** The monitor's filters, as in the URL query. */
export interface MonitorFilter {
  today?: string
  body?: string
  party?: string
  action_line?: string
  quarter?: string
  status?: string
}

export const MONITOR_KEYS = ['body', 'party', 'action_line', 'quarter', 'status'] as const

export function monitor(filter: MonitorFilter): Promise<Monitor> {
  const query = new URLSearchParams()
  for (const key of ['today', ...MONITOR_KEYS] as const) {
    const value = filter[key]
    if (value) query.set(key, value)
  }
  const text = query.toString()
  return request('GET', `/api/programme/monitor${text ? `?${text}` : ''}`)
}

export const generateOccurrences = (id: number): Promise<{ recurrence_id: number; created: number[]; occurrences: number }> => request('POST', `/api/milestones/${id}/occurrences`)
