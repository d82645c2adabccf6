// Shapes of the Polder REST API. Add new resources here as the server gains endpoints.

/** A party (organisation) as the server will describe it. */
export interface PartyRef {
  code: string
  name?: string
  /** CSS colour, e.g. "#154273". */
  color?: string
}

/** `GET /api/me`. `party` is not served yet; see parties.ts for the interim fallback. */
export interface Me {
  id: number | null
  name: string
  is_admin: boolean
  party?: PartyRef | null
}

/** One entry of "my documents". */
export interface DocumentSummary {
  id: string
  title?: string
  /** ISO 8601 */
  lastOpened?: string
}
