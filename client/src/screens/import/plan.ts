// Pure helpers over a dry run's plan (no DOM, no runtime imports, so unit tests load them).
import type { ImportAnswer, PlannedActionLine } from '../../api'

type Plan = ImportAnswer['plan']

/** The heading's text, with its number in front when the title does not start with it. */
export function headingText(line: PlannedActionLine): string {
  return line.number && !line.title.startsWith(line.number) ? `${line.number} ${line.title}` : line.title
}

/** "2.3 Pakketbeheer › Geneesmiddelen": the path from the top-level line to `key`. */
export function headingPath(plan: Plan, key: string | null): string | null {
  if (key === null) return null
  const byKey = new Map(plan.action_lines.map((line) => [line.key, line]))
  const parts: string[] = []
  let at = byKey.get(key)
  const seen = new Set<string>()
  while (at && !seen.has(at.key)) {
    seen.add(at.key)
    parts.unshift(headingText(at))
    at = at.parent_key ? byKey.get(at.parent_key) : undefined
  }
  return parts.length ? parts.join(' › ') : null
}

/** A code the server accepts, guessed from the name as written ("InEen" → "INEEN"), or ''. */
export function codeFrom(name: string): string {
  const compact = name.replace(/\s+/g, '')
  return /^[\p{L}\p{N}&-]{2,16}$/u.test(compact) ? compact.toUpperCase() : ''
}

