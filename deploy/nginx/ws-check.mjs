// One WebSocket upgrade through the proxy, checked by the first frame the server sends.
// Usage: node ws-check.mjs NODE_MODULES_DIR URL sync|inbox [COOKIE ORIGIN]
//   sync:  the first frame is y-websocket sync step 1 (message type 0, sync type 0)
//   inbox: the first frame is the live inbox's {"type":"unread",...}
// Prints one JSON line and exits 0 when the frame is the expected one; 1 otherwise.
import { createRequire } from 'node:module'
import path from 'node:path'

const [modules, url, kind, cookie, origin] = process.argv.slice(2)
const require = createRequire(path.join(path.resolve(modules), 'package.json'))
const WebSocket = require('ws')

const fail = (why) => {
  console.error(`ws-check: ${url.replace(/token=[^&]*/, 'token=…')}: ${why}`)
  process.exit(1)
}
const timer = setTimeout(() => fail('no frame within 10 s'), 10000)
const headers = {}
if (cookie) headers.Cookie = cookie
if (origin) headers.Origin = origin
// The check runs against a self-signed certificate.
const socket = new WebSocket(url, { headers, rejectUnauthorized: false })
let status = 0
socket.on('upgrade', (response) => { status = response.statusCode })
socket.on('unexpected-response', (_request, response) => fail(`HTTP ${response.statusCode} instead of an upgrade`))
socket.on('error', (error) => fail(error.message))
socket.on('message', (data, isBinary) => {
  clearTimeout(timer)
  if (kind === 'sync') {
    const bytes = new Uint8Array(data)
    if (!isBinary || bytes.length < 2 || bytes[0] !== 0 || bytes[1] !== 0) {
      fail(`first frame is not sync step 1: ${Buffer.from(bytes.slice(0, 8)).toString('hex')}`)
    }
    console.log(JSON.stringify({ ok: true, status, first: 'sync step 1', bytes: bytes.length }))
  } else {
    const message = JSON.parse(data.toString())
    if (isBinary || message.type !== 'unread') fail(`first frame is not the unread count: ${data}`)
    console.log(JSON.stringify({ ok: true, status, first: message }))
  }
  socket.close(1000)
  process.exit(0)
})
