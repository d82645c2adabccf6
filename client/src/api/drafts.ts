// Advice drafts: status flow, versions, comparisons, comments.
import { listAll, request } from './http'
import type { Comment, Comparison, Draft, DraftStatus, NewComment, Template, Transition, Version } from './types'

export const listDrafts = (bodyId: number): Promise<Draft[]> => listAll(`/api/bodies/${bodyId}/drafts`)
export const createDraft = (bodyId: number, input: { title: string; template: Template }): Promise<Draft> =>
  request('POST', `/api/bodies/${bodyId}/drafts`, input)
export const getDraft = (id: number): Promise<Draft> => request('GET', `/api/drafts/${id}`)
export const updateDraft = (id: number, input: { title?: string; template?: Template }): Promise<Draft> =>
  request('PATCH', `/api/drafts/${id}`, input)

export const listTransitions = (id: number): Promise<Transition[]> => listAll(`/api/drafts/${id}/transitions`)
export const transition = (id: number, to: DraftStatus, note?: string): Promise<{ draft: Draft; version_id: number | null }> =>
  request('POST', `/api/drafts/${id}/transitions`, note ? { to, note } : { to })

export const listVersions = (id: number): Promise<Version[]> => listAll(`/api/drafts/${id}/versions`)
export const createVersion = (id: number, name: string): Promise<Version> => request('POST', `/api/drafts/${id}/versions`, { name })
export type ExportFormat = 'html' | 'markdown' | 'docx' | 'pdf'
export const versionUrl = (id: number, versionId: number, format: ExportFormat): string =>
  `/api/drafts/${id}/versions/${versionId}?format=${format}`
/** `to` is a version id or "current". */
export const compare = (id: number, from: number, to: number | 'current'): Promise<Comparison> =>
  request('GET', `/api/drafts/${id}/compare?from=${from}&to=${to}&format=json`)
export const compareUrl = (id: number, from: number, to: number | 'current', format: ExportFormat): string =>
  `/api/drafts/${id}/compare?from=${from}&to=${to}&format=${format}`

export const listComments = (id: number): Promise<Comment[]> => listAll(`/api/drafts/${id}/comments`)
export const postComment = (id: number, input: NewComment): Promise<Comment> => request('POST', `/api/drafts/${id}/comments`, input)
export const setResolved = (id: number, threadId: number, resolved: boolean): Promise<void> =>
  request(resolved ? 'PUT' : 'DELETE', `/api/drafts/${id}/comments/${threadId}/resolved`)

/** The next statuses the server accepts from `status` (docs/DOMAIN.md §3). */
export const FLOW: DraftStatus[] = ['concept', 'consultatie', 'vastgesteld', 'aangeboden', 'besloten']
export function allowedNext(status: DraftStatus): DraftStatus[] {
  const next: DraftStatus[] = []
  const index = FLOW.indexOf(status)
  if (index >= 0 && index < FLOW.length - 1) next.push(FLOW[index + 1] as DraftStatus)
  if (status === 'consultatie') next.push('concept')
  if (status !== 'besloten' && status !== 'ingetrokken') next.push('ingetrokken')
  return next
}
