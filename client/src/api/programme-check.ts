// Compile-time check of the programme's hand-written API types (programme.ts) against the
// types generated from the server's OpenAPI document, as schema-check.ts does for types.ts.
import type { components } from './schema.gen'
import type * as P from './programme'

type S = components['schemas']

type Sent<T> = T extends (infer U)[] ? Sent<U>[] : T extends object ? { [K in keyof T]-?: Sent<Exclude<T[K], undefined>> } : T
type Widened<T> = T extends string ? string : T extends (infer U)[] ? Widened<U>[] : T extends object ? { [K in keyof T]: Widened<T[K]> } : T
type Fits<Served extends Widened<Client>, Client> = [Served, Client]

export type ProgrammeTypesFitTheServer = [
  Fits<Sent<S['Due']>, P.Due>,
  Fits<Sent<S['StatusChange']>, P.StatusChange>,
  Fits<Sent<S['Note']>, P.MilestoneNote>,
  Fits<Sent<S['Link']>, P.MilestoneLink>,
]
