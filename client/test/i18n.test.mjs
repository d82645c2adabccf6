import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { nl } = await loadTs('src/i18n/nl.ts')
const { en } = await loadTs('src/i18n/en.ts')

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()

test('Dutch and English dictionaries have the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(nl).sort())
})

test('every message is a non-empty string in both languages', () => {
  for (const [lang, dict] of [['nl', nl], ['en', en]]) {
    for (const [key, value] of Object.entries(dict)) {
      assert.equal(typeof value, 'string', `${lang} ${key}`)
      assert.ok(value.trim().length > 0, `${lang} ${key} is empty`)
    }
  }
})

test('both languages use the same placeholders', () => {
  for (const key of Object.keys(nl)) {
    assert.deepEqual(placeholders(en[key]), placeholders(nl[key]), `placeholders of ${key}`)
  }
})
