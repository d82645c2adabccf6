// The Instemming section's rules without the DOM: which round counts, who it waits on, and what
// the gate note says. The server decides (http/consent/rounds.rs); these let the screen say so.
import type { Round } from '../../api/consent'
import type { MessageKey } from '../../i18n'

/** The round that counts for the draft: the newest one still open or completed. */
export function currentRound(list: Round[]): Round | null {
  return list.find((r) => r.status === 'open' || r.status === 'afgerond') ?? null
}

/** Who has not answered and how many niet akkoord answers still have an open dispute. */
export function waitingOn(round: Round): { unanswered: string[]; disputes: number } {
  return {
    unanswered: round.parties.filter((p) => !p.answer).map((p) => p.code),
    disputes: round.open_niet_akkoord,
  }
}

/** The gate note's message for the current round (or none), when the gate applies. */
export function gateMessage(round: Round | null): { key: MessageKey; parties: string; count: number } {
  if (!round) return { key: 'consent.gateNoRound', parties: '', count: 0 }
  if (round.complete) return { key: 'consent.gateComplete', parties: '', count: 0 }
  const waiting = waitingOn(round)
  return {
    key: waiting.unanswered.length ? 'consent.gateWaiting' : 'consent.gateDisputes',
    parties: waiting.unanswered.join(', '),
    count: waiting.disputes,
  }
}
