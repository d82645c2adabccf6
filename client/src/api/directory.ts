// Parties, people, bodies and their members (the working-group administration).
import { listAll, request } from './http'
import type { Body, BodyRole, Member, Participation, Party, Person } from './types'

export const listParties = (): Promise<Party[]> => listAll('/api/parties')
export const createParty = (input: { code: string; name: string; colour: string; aliases?: string[]; members?: string[] }): Promise<Party> =>
  request('POST', '/api/parties', input)

export const listPeople = (): Promise<Person[]> => listAll('/api/people')
export const createPerson = (input: { name: string; email: string; party: string | null; password: string; is_admin: boolean }): Promise<Person> =>
  request('POST', '/api/people', input)

/** Removes a person (administrators); answers with the pseudonym the record uses from now on. */
export const removePerson = (id: number): Promise<{ id: number; pseudonym: string }> => request('DELETE', `/api/admin/people/${id}`)

export const listBodies = (): Promise<Body[]> => listAll('/api/bodies')
export const getBody = (id: number): Promise<Body> => request('GET', `/api/bodies/${id}`)
export const createBody = (input: { name: string; kind: string; parties: { code: string; participation: Participation }[] }): Promise<Body> =>
  request('POST', '/api/bodies', input)
export const listMembers = (bodyId: number): Promise<Member[]> => listAll(`/api/bodies/${bodyId}/members`)
export const putMember = (bodyId: number, personId: number, input: { role: BodyRole; holds_mandate: boolean }): Promise<Member> =>
  request('PUT', `/api/bodies/${bodyId}/members/${personId}`, input)
export const removeMember = (bodyId: number, personId: number): Promise<void> =>
  request('DELETE', `/api/bodies/${bodyId}/members/${personId}`)
