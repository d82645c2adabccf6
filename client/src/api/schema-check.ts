// Compile-time check of the hand-written API types (types.ts) against the types generated from
// the server's OpenAPI document (schema.gen.ts): `tsc` fails here when a response the server
// documents can no longer be read as the type the client uses for it (a field renamed, removed
// or given another type). `npm run build` and `npm run typecheck` run it.
import type { components } from './schema.gen'
import type * as T from './types'
import type * as Settings from './settings'
import type * as F from './follows'

type S = components['schemas']

/**
 * The server's type as it arrives: the document marks `Option` fields as not required, but the
 * server always sends them (as `null` when empty), so every field is present.
 */
type Sent<T> = T extends (infer U)[]
  ? Sent<U>[]
  : T extends object
    ? { [K in keyof T]-?: Sent<Exclude<T[K], undefined>> }
    : T

/**
 * The client's type with its string unions (statuses, roles) widened to `string`: the
 * document types most of those fields as plain strings.
 */
type Widened<T> = T extends string
  ? string
  : T extends (infer U)[]
    ? Widened<U>[]
    : T extends object
      ? { [K in keyof T]: Widened<T[K]> }
      : T

/** Compiles only when a value of the server's type `Served` is a valid `Client`. */
type Fits<Served extends Widened<Client>, Client> = [Served, Client]

export type ServerTypesFitTheClient = [
  Fits<Sent<S['ActionLine']>, T.ActionLine>,
  Fits<Sent<S['AuditEntry']>, T.AuditEntry>,
  Fits<Sent<S['Body']>, T.Body>,
  Fits<Sent<S['BodyRole']>, T.BodyRole>,
  Fits<Sent<S['AnchoredComment']>, T.Comment>,
  Fits<Sent<S['Draft']>, T.Draft>,
  Fits<Sent<S['DraftStatus']>, T.DraftStatus>,
  Fits<Sent<S['Milestone']>, T.Milestone>,
  Fits<Sent<S['Owner']>, T.Owner>,
  Fits<Sent<S['Party']>, T.Party>,
  Fits<Sent<S['Person']>, T.Person>,
  Fits<Sent<S['RoleAgreement']>, T.RoleAgreement>,
  Fits<Sent<S['SignOff']>, T.SignOff>,
  Fits<Sent<S['Transition']>, T.Transition>,
  Fits<Sent<S['TokenInfo']>, T.ApiToken>,
  Fits<Sent<S['VersionInfo']>, T.Version>,
  Fits<Sent<S['Membership']>, T.Member>,
  // body settings
  Fits<Sent<S['LadderSettings']>, Settings.LadderSettings>,
  Fits<Sent<S['LadderForum']>, Settings.LadderForum>,
  Fits<Sent<S['Webhook']>, Settings.Webhook>,
  Fits<Sent<S['CreatedWebhook']>, Settings.CreatedWebhook>,
  Fits<Sent<S['DeliveryLog']>, Settings.Delivery>,
  Fits<Sent<S['CalendarFeed']>, Settings.Feed>,
  Fits<Sent<S['CreatedFeed']>, Settings.CreatedFeed>,
  Fits<Sent<S['FollowState']>, F.FollowState>,
]
