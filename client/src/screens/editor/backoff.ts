// Reconnect delays: exponential with "equal jitter" (half fixed, half random), so that after a
// server restart hundreds of clients do not all come back in the same millisecond.

export interface BackoffOptions {
  baseMs: number
  capMs: number
  random: () => number
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000, random: Math.random }

/** Delay before reconnect attempt number `attempt` (0-based). */
export function reconnectDelay(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2))
}
