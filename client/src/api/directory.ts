// Parties, people, bodies and their members (the working-group administration).
import { ApiError, request } from './http'
import type { Body, BodyRole, Member, Page, Participation, Party, Person } from './types'

/** Every page of a list route (the server serves at most 200 per page). */
export async function listAll<T>(path: string): Promise<Page<T>> {
  const items: T[] = []
  for (let offset = 0; ; ) {
    const page = await request<Page<T>>('GET', `${path}${path.includes('?') ? '&' : '?'}offset=${offset}&limit=200`)
    items.push(...page.items)
    offset += page.items.length
    if (page.items.length === 0 || offset >= page.total) return { items, total: page.total, offset: 0, limit: items.length }
  }
}

export const listParties = (): Promise<Page<Party>> => listAll('/api/parties')
export const createParty = (input: { code: string; name: string; colour: string; aliases?: string[]; members?: string[] }): Promise<Party> =>
  request('POST', '/api/parties', input)

export const listPeople = (): Promise<Page<Person>> => listAll('/api/people')
export const createPerson = (input: { name: string; email: string; party: string | null; password: string; is_admin: boolean }): Promise<Person> =>
  request('POST', '/api/people', input)

export const listBodies = (): Promise<Page<Body>> => listAll('/api/bodies')
export const getBody = (id: number): Promise<Body> => request('GET', `/api/bodies/${id}`)
export const createBody = (input: { name: string; kind: string; parties: { code: string; participation: Participation }[] }): Promise<Body> =>
  request('POST', '/api/bodies', input)
export const listMembers = (bodyId: number): Promise<Member[]> => request('GET', `/api/bodies/${bodyId}/members`)
export const putMember = (bodyId: number, personId: number, input: { role: BodyRole; holds_mandate: boolean }): Promise<Member> =>
  request('PUT', `/api/bodies/${bodyId}/members/${personId}`, input)
export const removeMember = (bodyId: number, personId: number): Promise<void> =>
  request('DELETE', `/api/bodies/${bodyId}/members/${personId}`)

/**
 * A GET of a feature other engineers are still building (role agreements, action lines,
 * disputes…): `null` while the server answers 404 for the route, the data once it exists.
 */
export async function optional<T>(path: string): Promise<T | null> {
  try {
    return await request<T>('GET', path)
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null
    throw error
  }
}
