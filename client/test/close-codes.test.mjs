import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { isPermanentClose, permanentCloseMessage } = await loadTs('src/screens/editor/close-codes.ts')

test('only 44xx close codes stop the reconnects', () => {
  for (const code of [4400, 4401, 4403, 4499]) assert.ok(isPermanentClose(code), String(code))
  for (const code of [1000, 1001, 1002, 1006, 1009, 1011, 1013, 4000, 4500]) assert.ok(!isPermanentClose(code), String(code))
})

test('each permanent close says why', () => {
  assert.equal(permanentCloseMessage(4401), 'connection.signedOut')
  assert.equal(permanentCloseMessage(4403), 'connection.accessEnded')
  assert.equal(permanentCloseMessage(4450), 'connection.ended')
})
