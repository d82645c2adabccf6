import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { reconnectDelay } = await loadTs('src/screens/editor/backoff.ts')
const options = (random) => ({ baseMs: 500, capMs: 30_000, random: () => random })

test('reconnect delays grow exponentially between half and all of the ceiling', () => {
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(30_000, 500 * 2 ** attempt)
    assert.equal(reconnectDelay(attempt, options(0)), ceiling / 2)
    assert.equal(reconnectDelay(attempt, options(1)), ceiling)
  }
})

test('reconnect delays are capped and jittered', () => {
  assert.equal(reconnectDelay(1000, options(1)), 30_000)
  const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(5)))
  assert.ok(delays.size > 10, 'random delays differ')
  for (const delay of delays) assert.ok(delay >= 8_000 && delay <= 16_000, String(delay))
})
