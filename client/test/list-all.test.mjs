import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { ApiError, listAll } = await loadTs('src/api/http.ts')

/** A fetch that serves `total` numbered items a page at a time, recording the addresses asked. */
function pagedFetch(total) {
  const asked = []
  const fetch = async (path) => {
    asked.push(path)
    const url = new URL(path, 'http://polder.test')
    const offset = Number(url.searchParams.get('offset'))
    const limit = Number(url.searchParams.get('limit'))
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: offset + i }))
    return new Response(JSON.stringify({ items, total, offset, limit }), { status: 200 })
  }
  return { asked, fetch }
}

test('listAll pages through offset and limit until it has every item', async () => {
  const { asked, fetch } = pagedFetch(450)
  globalThis.fetch = fetch
  const items = await listAll('/api/bodies/7/milestones?party=ZIN')
  assert.deepEqual(items.map((item) => item.id), Array.from({ length: 450 }, (_, i) => i))
  assert.deepEqual(asked, [
    '/api/bodies/7/milestones?party=ZIN&offset=0&limit=200',
    '/api/bodies/7/milestones?party=ZIN&offset=200&limit=200',
    '/api/bodies/7/milestones?party=ZIN&offset=400&limit=200',
  ])
})

test('listAll asks once for an empty list', async () => {
  const { asked, fetch } = pagedFetch(0)
  globalThis.fetch = fetch
  assert.deepEqual(await listAll('/api/tokens'), [])
  assert.deepEqual(asked, ['/api/tokens?offset=0&limit=200'])
})

test('a 404 is the error it is, not an empty or missing list', async () => {
  globalThis.fetch = async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'not found' } }), { status: 404 })
  await assert.rejects(listAll('/api/bodies/9/disputes'), (error) => error instanceof ApiError && error.status === 404 && error.code === 'not_found')
})
