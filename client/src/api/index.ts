// Typed access to the Polder server. Screens import from here, never call fetch themselves.
export { ApiError, NetworkError, onUnauthorized, readCookie } from './http'
export type { ErrorBody } from './http'
export * as session from './session'
export * as documents from './documents'
export type { Me, PartyRef, DocumentSummary } from './types'
