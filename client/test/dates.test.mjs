import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { TIME_ZONE, formatMoment, formatDay } = await loadTs('src/i18n/dates.ts')

test('times are shown in Dutch time on both sides of the daylight-saving changes', () => {
  assert.equal(TIME_ZONE, 'Europe/Amsterdam')
  // 06:00 UTC is 07:00 in winter (CET) and 08:00 in summer (CEST).
  assert.match(formatMoment(new Date('2026-03-28T06:00:00Z'), 'nl'), /28 mrt 2026.*07:00/)
  assert.match(formatMoment(new Date('2026-03-30T06:00:00Z'), 'nl'), /30 mrt 2026.*08:00/)
  assert.match(formatMoment(new Date('2026-10-24T06:00:00Z'), 'en'), /24 Oct 2026.*08:00/)
  assert.match(formatMoment(new Date('2026-10-26T06:00:00Z'), 'en'), /26 Oct 2026.*07:00/)
})

test('a calendar day stays the same day in every language', () => {
  assert.equal(formatDay('2026-05-26', 'nl'), '26 mei 2026')
  assert.equal(formatDay('2026-05-26', 'en'), '26 May 2026')
  assert.equal(formatDay('2026-03-29', 'nl'), '29 mrt 2026')
  assert.equal(formatDay('Q3 2026', 'nl'), 'Q3 2026')
  assert.equal(formatDay('2026-02-30', 'nl'), '2026-02-30')
})
