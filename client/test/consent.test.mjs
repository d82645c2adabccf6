import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const rules = await loadTs('src/screens/draft/consent-rules.ts')
const consultation = await loadTs('src/screens/consultation/rules.ts')

const party = (code, answer = null) => ({ party_id: code.length, code, name: code, answer, mandate_holders: [], re_asked: false, previous_state: null, previous_version_id: null })
const round = (id, status, parties, extra = {}) => ({ id, status, parties, complete: false, open_niet_akkoord: 0, ...extra })
const akkoord = { state: 'akkoord' }

test('the current round is the newest open or completed one, never a superseded or withdrawn one', () => {
  const list = [round(3, 'ingetrokken', []), round(2, 'vervangen', []), round(1, 'open', [])]
  assert.equal(rules.currentRound(list).id, 1)
  assert.equal(rules.currentRound([round(5, 'afgerond', []), round(4, 'vervangen', [])]).id, 5)
  assert.equal(rules.currentRound([round(2, 'vervangen', []), round(1, 'ingetrokken', [])]), null)
})

test('the gate note names the parties without an answer, then the open niet akkoord disputes', () => {
  assert.equal(rules.gateMessage(null).key, 'consent.gateNoRound')
  const waiting = rules.gateMessage(round(1, 'open', [party('ZIN', akkoord), party('ZN'), party('FMS')]))
  assert.equal(waiting.key, 'consent.gateWaiting')
  assert.equal(waiting.parties, 'ZN, FMS')
  const disputes = rules.gateMessage(round(1, 'afgerond', [party('ZIN', akkoord), party('ZN', { state: 'niet_akkoord' })], { open_niet_akkoord: 1 }))
  assert.equal(disputes.key, 'consent.gateDisputes')
  assert.equal(disputes.count, 1)
  assert.equal(rules.gateMessage(round(1, 'afgerond', [party('ZIN', akkoord)], { complete: true })).key, 'consent.gateComplete')
})

test('sizes read as people say them', () => {
  assert.equal(consultation.sizeText(10 * 1024 * 1024), '10 MB')
  assert.equal(consultation.sizeText(1.5 * 1024 * 1024), '1.5 MB')
  assert.equal(consultation.sizeText(340 * 1024), '340 kB')
  assert.equal(consultation.sizeText(10), '1 kB')
})

test("today's date is the Dutch one", () => {
  // 23:30 UTC on 31 December is already 1 January in Amsterdam
  assert.equal(consultation.dutchToday(new Date('2026-12-31T23:30:00Z')), '2027-01-01')
  assert.equal(consultation.dutchToday(new Date('2026-06-15T10:00:00Z')), '2026-06-15')
})

test('comments to send: empty rows dropped, a quote only when given, a quote without text refused', () => {
  const sent = consultation.commentsToSend([
    { quote: '', body: '' },
    { quote: ' de passage ', body: ' Een opmerking. ' },
    { quote: '', body: 'Zonder citaat.' },
  ])
  assert.deepEqual(sent.comments, [{ quote: 'de passage', body: 'Een opmerking.' }, { body: 'Zonder citaat.' }])
  assert.equal(sent.missing, 0)
  assert.equal(consultation.commentsToSend([{ quote: '', body: 'a' }, { quote: 'b', body: ' ' }]).missing, 2)
})

test('only the chair and the secretariat withdraw, and only once', () => {
  assert.equal(consultation.canWithdraw('open', true), true)
  assert.equal(consultation.canWithdraw('aangekondigd', true), true)
  assert.equal(consultation.canWithdraw('open', false), false)
  assert.equal(consultation.canWithdraw('ingetrokken', true), false)
})
