// Two unmodified y-websocket WebsocketProviders sync through a Polder server.
// Usage: node sync-check.mjs WS_BASE DOC_ID TOKEN TEXT
// Exits 0 after both documents hold TEXT and each sees the other's presence; 1 otherwise.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [base, docId, token, text] = process.argv.slice(2)
const fail = (why) => { console.error(`sync-check: ${why}`); process.exit(1) }
const timer = setTimeout(() => fail('timed out after 15 s'), 15000)

const connect = (name) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(base, docId, doc, {
    WebSocketPolyfill: WebSocket,
    params: { token },
    disableBc: true
  })
  provider.awareness.setLocalStateField('probe', name)
  provider.on('connection-error', (e) => console.error(`${name}: connection error`, e?.message ?? e))
  return { doc, provider }
}

const waitFor = (what, check) => new Promise((resolve) => {
  const poll = () => (check() ? resolve() : setTimeout(poll, 20))
  poll()
})

const a = connect('alice')
const b = connect('bob')
await waitFor('both synced', () => a.provider.synced && b.provider.synced)
a.doc.getText('content').insert(0, text)
await waitFor('text arrives at b', () => b.doc.getText('content').toString() === text)
b.doc.getText('content').insert(text.length, '!')
await waitFor('reply arrives at a', () => a.doc.getText('content').toString() === `${text}!`)
const seesOther = (me, other) => [...me.provider.awareness.getStates().values()].some((s) => s.probe === other)
await waitFor('presence', () => seesOther(a, 'bob') && seesOther(b, 'alice'))
clearTimeout(timer)
console.log(JSON.stringify({ ok: true, text: a.doc.getText('content').toString() }))
a.provider.destroy()
b.provider.destroy()
process.exit(0)
