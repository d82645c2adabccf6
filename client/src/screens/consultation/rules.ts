// The consultation screens' rules without the DOM: sizes as people read them, today's Dutch
// date, the comments of a response as the server takes them, and who may withdraw.

/** "10 MB" / "1.5 MB" / "340 kB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`
  return `${Math.max(1, Math.round(bytes / 1024))} kB`
}

/** Today's date in the Netherlands as `YYYY-MM-DD`. */
export function dutchToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/**
 * The comments to send: empty rows dropped, a quote only when there is one. `missing` is the
 * 1-based number of a comment with a quote but no text (the form says so), or 0.
 */
export function commentsToSend(rows: { quote: string; body: string }[]): { comments: { quote?: string; body: string }[]; missing: number } {
  const kept = rows.map((r) => ({ quote: r.quote.trim(), body: r.body.trim() })).filter((r) => r.quote || r.body)
  const missing = kept.findIndex((r) => !r.body) + 1
  return { comments: kept.map((r) => (r.quote ? { quote: r.quote, body: r.body } : { body: r.body })), missing }
}

/** Whether the withdraw button shows: for the chair and the secretariat, until it is withdrawn. */
export function canWithdraw(status: string, canSteer: boolean): boolean {
  return canSteer && status !== 'ingetrokken'
}
