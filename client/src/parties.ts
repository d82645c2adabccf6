// Party colours and initials for presence avatars and remote cursors. Every colour reaches a
// contrast of at least 4.5:1 against white, so white initials and name labels on it are legible
// (WCAG 1.4.3). The server will serve party colours; until then these defaults apply.

import type { Me } from './api'

const PARTY_COLOURS: Record<string, string> = {
  VWS: '#154273', // Rijksoverheid lintblauw
  ZIN: '#8b1a3c',
  FMS: '#00606b',
  ZN: '#5c2d91',
  PFN: '#9a3b00',
  NZA: '#2e5a1c',
  NVZ: '#6e4a00',
  NFU: '#3c3c8c',
  LHV: '#006644',
  GGZ: '#8a2c70',
  ZKN: '#4d5300',
  IGJ: '#444444',
  VNG: '#0b4f8a',
}

const FALLBACK = ['#154273', '#8b1a3c', '#00606b', '#5c2d91', '#9a3b00', '#2e5a1c', '#3c3c8c', '#8a2c70']

function hash(text: string): number {
  let value = 0
  for (let i = 0; i < text.length; i++) value = (value * 31 + text.charCodeAt(i)) | 0
  return Math.abs(value)
}

/** Colours served by `GET /api/parties` (loaded once after signing in); they take precedence. */
const served = new Map<string, string>()

export function setServedColours(parties: { code: string; colour: string }[]): void {
  for (const party of parties) served.set(party.code.toUpperCase(), party.colour)
}

/** The colour of a party by its code, as the server serves it when known. */
export function colourOfParty(code: string | null | undefined): string {
  return partyColour(code, code ?? '?')
}

export function partyColour(code: string | null | undefined, seed: string): string {
  if (code) {
    const fromServer = served.get(code.toUpperCase())
    if (fromServer) return fromServer
    const known = PARTY_COLOURS[code.toUpperCase()]
    if (known) return known
  }
  return FALLBACK[hash(code || seed) % FALLBACK.length] ?? '#154273'
}

/**
 * The user's party code: from `/api/me` once the server serves it, until then from a trailing
 * "(CODE)" in the display name, as in "Anna de Vries (VWS)".
 */
export function partyOf(me: Me): string | null {
  if (me.party) return me.party
  const match = /\(([A-Za-z][A-Za-z0-9 -]{0,15})\)\s*$/.exec(me.name)
  return match?.[1] ?? null
}

/** "Anna de Vries (VWS)" → "AV"; "Joost" → "J". */
export function initials(name: string): string {
  const words = name
    .replace(/\(.*?\)/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0 && word[0] === word[0]?.toUpperCase())
  const first = words[0]?.[0] ?? name.trim()[0] ?? '?'
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : ''
  return (first + last).toUpperCase()
}
