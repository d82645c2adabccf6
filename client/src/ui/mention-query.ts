// Finding the `@…` being typed: dependency-free, so it is unit tested in Node.

/** The `@query` that ends right before the caret (after a space or at the start), if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const match = /(?:^|\s)@([^\s@]{0,40})$/.exec(before)
  if (!match) return null
  const query = match[1] ?? ''
  return { start: caret - query.length - 1, query }
}
