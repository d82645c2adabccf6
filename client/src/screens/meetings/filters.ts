// The decision register's filters ↔ the query string of the screen and of the API (and its
// CSV/PDF exports). A period (`2024`, `2024-Q3`, `2024-H1`, `2024-05`) becomes `from`/`to` days. No
// runtime imports: the unit tests load it as is.

export interface RegisterFilter {
  q?: string
  body?: number
  period?: string
  party?: string
  topic?: string
  source?: string
}

const pad = (n: number): string => String(n).padStart(2, '0')
const lastDay = (year: number, month: number): number => new Date(Date.UTC(year, month, 0, 12)).getUTCDate()

/** The first and the last day of a period, or null when it is not one. */
export function periodRange(period: string): { from: string; to: string } | null {
  const text = period.trim().toUpperCase()
  let match = /^(\d{4})$/.exec(text)
  if (match) return { from: `${match[1]}-01-01`, to: `${match[1]}-12-31` }
  match = /^(\d{4})-Q([1-4])$/.exec(text)
  if (match) {
    const year = Number(match[1])
    const first = (Number(match[2]) - 1) * 3 + 1
    return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(first + 2)}-${pad(lastDay(year, first + 2))}` }
  }
  match = /^(\d{4})-H([12])$/.exec(text)
  if (match) return match[2] === '1' ? { from: `${match[1]}-01-01`, to: `${match[1]}-06-30` } : { from: `${match[1]}-07-01`, to: `${match[1]}-12-31` }
  match = /^(\d{4})-(\d{2})$/.exec(text)
  if (match) {
    const year = Number(match[1])
    const month = Number(match[2])
    if (month < 1 || month > 12) return null
    return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(lastDay(year, month))}` }
  }
  return null
}

/** The API's query: `q`, `body` (programme register only), `from`/`to` of the period, `party`, `topic`, `source`. */
export function registerQuery(filter: RegisterFilter, withBody: boolean): URLSearchParams {
  const query = new URLSearchParams()
  const q = filter.q?.trim()
  if (q) query.set('q', q)
  if (withBody && filter.body !== undefined) query.set('body', String(filter.body))
  const range = filter.period ? periodRange(filter.period) : null
  if (range) {
    query.set('from', range.from)
    query.set('to', range.to)
  }
  if (filter.party) query.set('party', filter.party)
  const topic = filter.topic?.trim()
  if (topic) query.set('topic', topic)
  if (filter.source) query.set('source', filter.source)
  return query
}

/** The screen's own query (kept in the address, so a filtered register can be shared). */
export function screenQuery(filter: RegisterFilter): URLSearchParams {
  const query = new URLSearchParams()
  const q = filter.q?.trim()
  if (q) query.set('q', q)
  if (filter.body !== undefined) query.set('body', String(filter.body))
  if (filter.period?.trim()) query.set('period', filter.period.trim())
  if (filter.party) query.set('party', filter.party)
  if (filter.topic?.trim()) query.set('topic', filter.topic.trim())
  if (filter.source) query.set('source', filter.source)
  return query
}

/** The filter a screen address carries. */
export function filterFromQuery(query: URLSearchParams): RegisterFilter {
  const filter: RegisterFilter = {}
  for (const key of ['q', 'period', 'party', 'topic', 'source'] as const) {
    const value = query.get(key)?.trim()
    if (value) filter[key] = value
  }
  const body = Number(query.get('body'))
  if (query.get('body') && Number.isInteger(body) && body > 0) filter.body = body
  return filter
}
