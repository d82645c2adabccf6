import type { DocumentSummary } from './types'

// "My documents". The server has no list endpoint yet, so for now this is the list of documents
// this browser opened (per user, in localStorage). When `GET /api/documents` (or the drafts
// endpoint) lands, `listMyDocuments` fetches it instead and the home screen stays as it is.

const MAX_RECENT = 20

function storageKey(userId: number | null): string {
  return `polder.recent.${userId ?? 'token'}`
}

export async function listMyDocuments(userId: number | null): Promise<DocumentSummary[]> {
  try {
    const raw = localStorage.getItem(storageKey(userId))
    const parsed: unknown = raw ? JSON.parse(raw) : []
    return Array.isArray(parsed) ? (parsed as DocumentSummary[]) : []
  } catch {
    return []
  }
}

export async function rememberOpened(userId: number | null, id: string): Promise<void> {
  const list = (await listMyDocuments(userId)).filter((doc) => doc.id !== id)
  list.unshift({ id, lastOpened: new Date().toISOString() })
  try {
    localStorage.setItem(storageKey(userId), JSON.stringify(list.slice(0, MAX_RECENT)))
  } catch {
    // not persisted; fine
  }
}

/** Mirrors polder_shared::DocId: letter or digit first, then letters, digits, ".", "_", "-"; at most 128. */
export const DOC_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
