// Following drafts and milestones (their status changes reach the follower), and finding
// people to mention.
import { request } from './http'
import type { Page, Person } from './types'

export type FollowKind = 'draft' | 'milestone'

export interface FollowState {
  following: boolean
  followers: number
}

const path = (kind: FollowKind, id: number): string => `/api/${kind === 'draft' ? 'drafts' : 'milestones'}/${id}/follow`

export const followState = (kind: FollowKind, id: number): Promise<FollowState> => request('GET', path(kind, id))
export const setFollowing = (kind: FollowKind, id: number, following: boolean): Promise<FollowState> =>
  request(following ? 'PUT' : 'DELETE', path(kind, id))

/** People of a body whose name or party contains `query` (all of them for an empty query). */
export async function searchPeople(bodyId: number, query: string, limit = 8): Promise<Person[]> {
  const q = query.trim() ? `&q=${encodeURIComponent(query.trim())}` : ''
  const page = await request<Page<Person>>('GET', `/api/people?body=${bodyId}&limit=${limit}${q}`)
  return page.items
}
