// The body settings screen's rules: which forum a ladder level may name, whole numbers from
// text fields, and where the server's 422 messages belong.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const rules = await loadTs('src/screens/body-settings/rules.ts')

const forums = [
  { id: 7, name: 'Werkgroep', kind: 'working_group', depth: 0 },
  { id: 3, name: 'Thematafel', kind: 'theme_table', depth: 1 },
  { id: 2, name: 'BO-IZA', kind: 'bo_iza', depth: 2 },
]

test('the working group itself is a forum at level 0 only; bodies above it at every level', () => {
  assert.equal(rules.mayName(forums, 0, 7), true)
  assert.equal(rules.mayName(forums, 1, 7), false)
  assert.equal(rules.mayName(forums, 0, 3), true)
  assert.equal(rules.mayName(forums, 3, 2), true)
  assert.equal(rules.mayName(forums, 1, 99), false, 'a body that is not listed')
})

test('whole numbers within bounds only', () => {
  assert.equal(rules.wholeNumber('10', 1, 250), 10)
  assert.equal(rules.wholeNumber(' 250 ', 1, 250), 250)
  assert.equal(rules.wholeNumber('0', 0, 250), 0)
  for (const text of ['0', '251', '', '1.5', '-3', 'tien', '1e2']) assert.equal(rules.wholeNumber(text, 1, 250), null, text)
})

test('ladder errors from the server land at their level and field', () => {
  assert.deepEqual(rules.ladderTarget('levels: level 2: response_days must be between 1 and 250'), { field: 'days', level: 2 })
  assert.deepEqual(rules.ladderTarget('levels: level 1 needs a name of 1 to 200 characters'), { field: 'name', level: 1 })
  assert.deepEqual(rules.ladderTarget('levels: level 1: "Werkgroep Elders" (body 9) is not above this working group in its hierarchy'), { field: 'forum', level: 1 })
  assert.deepEqual(rules.ladderTarget('levels: level 3: there is no body 999'), { field: 'forum', level: 3 })
  assert.deepEqual(rules.ladderTarget('overdue_margin_days: must be between 0 and 250'), { field: 'margin' })
  assert.equal(rules.ladderTarget('levels: at most 10 levels'), null)
  assert.equal(rules.ladderTarget('something else'), null)
})

test('a refused webhook URL is explained by its reason', () => {
  const url = (message) => rules.urlProblem(rules.invalidField(message).detail)
  assert.equal(rules.invalidField('url: must be an http(s) URL').field, 'url')
  assert.equal(url('url: must point to a public address (internal addresses are not allowed)'), 'bodySettings.webhooks.urlInternal')
  assert.equal(url('url: must be an http(s) URL'), 'bodySettings.webhooks.urlScheme')
  assert.equal(url('url: must not contain a user name or password'), 'bodySettings.webhooks.urlCredentials')
  assert.equal(url('url: must be at most 2000 bytes'), 'bodySettings.webhooks.urlTooLong')
  assert.equal(url('url: something new'), null)
})
