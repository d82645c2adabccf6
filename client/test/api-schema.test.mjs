// src/api/schema.gen.ts is what `npm run gen:api` makes of openapi.json, the server's OpenAPI
// document (a Rust integration test keeps that copy current). `tsc` then checks the
// hand-written types against it (src/api/schema-check.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { generate, OUTPUT } from '../scripts/gen-api.mjs'

test('the generated API types are current with openapi.json', async () => {
  const committed = await readFile(OUTPUT, 'utf8')
  assert.ok(committed === (await generate()), 'src/api/schema.gen.ts is stale: run `npm run gen:api`')
})
