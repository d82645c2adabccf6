import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { mentionQuery } = await loadTs('src/ui/mention-query.ts')

test('the @ being typed is found before the caret', () => {
  assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' })
  assert.deepEqual(mentionQuery('Vraag aan @Jo', 13), { start: 10, query: 'Jo' })
  assert.deepEqual(mentionQuery('Vraag aan @Jo en meer', 13), { start: 10, query: 'Jo' })
  assert.deepEqual(mentionQuery('regel 1\n@ZI', 11), { start: 8, query: 'ZI' })
})

test('no suggestions inside an address, after a space or without an @', () => {
  assert.equal(mentionQuery('mail joost@zin.demo', 19), null)
  assert.equal(mentionQuery('@Joost ', 7), null)
  assert.equal(mentionQuery('geen noemen', 11), null)
  assert.equal(mentionQuery('@@', 2), null)
})
