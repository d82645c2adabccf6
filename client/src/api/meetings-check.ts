// Compile-time check of the meeting types (meetings.ts) against the types generated from the
// server's OpenAPI document, as schema-check.ts does for types.ts.
import type { components } from './schema.gen'
import type * as M from './meetings'

type S = components['schemas']

type Sent<T> = T extends (infer U)[] ? Sent<U>[] : T extends object ? { [K in keyof T]-?: Sent<Exclude<T[K], undefined>> } : T
type Widened<T> = T extends string ? string : T extends (infer U)[] ? Widened<U>[] : T extends object ? { [K in keyof T]: Widened<T[K]> } : T
type Fits<Served extends Widened<Client>, Client> = [Served, Client]

export type MeetingTypesFitTheServer = [
  Fits<Sent<S['Meeting']>, M.Meeting>,
  Fits<Sent<S['MeetingDetail']>, M.MeetingDetail>,
  Fits<Sent<S['AgendaItem']>, M.AgendaItem>,
  Fits<Sent<S['MeetingPack']>, M.MeetingPack>,
  Fits<Sent<S['MeetingSeries']>, M.MeetingSeries>,
]
