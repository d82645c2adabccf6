// Compile-time check of the consent types (consent.ts) against the types generated from the
// server's OpenAPI document, as schema-check.ts does for types.ts.
import type { components } from './schema.gen'
import type * as C from './consent'

type S = components['schemas']

type Sent<T> = T extends (infer U)[] ? Sent<U>[] : T extends object ? { [K in keyof T]-?: Sent<Exclude<T[K], undefined>> } : T
type Widened<T> = T extends string ? string : T extends (infer U)[] ? Widened<U>[] : T extends object ? { [K in keyof T]: Widened<T[K]> } : T
type Fits<Served extends Widened<Client>, Client> = [Served, Client]

export type ConsentTypesFitTheServer = [
  Fits<Sent<S['Consultation']>, C.Consultation>,
  Fits<Sent<S['Invitee']>, C.Invitee>,
  Fits<Sent<S['Attachment']>, NonNullable<C.ConsultationResponse['attachment']>>,
  Fits<Sent<S['Response']>, C.ConsultationResponse>,
  Fits<Sent<S['ResponseComment']>, C.ResponseComment>,
  Fits<Sent<S['Round']>, C.Round>,
  Fits<Sent<S['RoundParty']>, C.RoundParty>,
  Fits<Sent<S['Answer']>, C.Answer>,
  Fits<Sent<S['ConsentSettings']>, C.ConsentSettings>,
  Fits<Sent<S['OpenPoint']>, C.OpenPoint>,
  Fits<Sent<S['OpenPoints']>, Awaited<ReturnType<typeof C.openPoints>>>,
  Fits<Sent<S['Detected']>, Awaited<ReturnType<typeof C.detectOpenPoints>>>,
]
