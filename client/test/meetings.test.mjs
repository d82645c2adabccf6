import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const month = await loadTs('src/screens/meetings/month.ts')
const filters = await loadTs('src/screens/meetings/filters.ts')

test('a month grid has whole weeks, Monday first', () => {
  // March 2026 starts on a Sunday and has 31 days: 6 weeks from Monday 23 February
  const weeks = month.monthGrid(2026, 3)
  assert.equal(weeks.length, 6)
  assert.equal(weeks[0].days[0].day, '2026-02-23')
  assert.equal(weeks[0].days[0].inMonth, false)
  assert.equal(weeks[0].days[6].day, '2026-03-01')
  assert.equal(weeks[0].days[6].inMonth, true)
  assert.equal(weeks[5].days[1].day, '2026-03-31')
  assert.equal(weeks[5].days[6].day, '2026-04-05')
  for (const week of weeks) assert.equal(week.days.length, 7)
  // February 2027 starts on a Monday and has 28 days: exactly four weeks
  const february = month.monthGrid(2027, 2)
  assert.equal(february.length, 4)
  assert.equal(february[0].days[0].day, '2027-02-01')
  assert.equal(february[3].days[6].day, '2027-02-28')
})

test('days stay whole across the daylight-saving changes', () => {
  // 29 March 2026 and 25 October 2026 are the change-over Sundays in the Netherlands
  const march = month.monthGrid(2026, 3).flatMap((w) => w.days.map((d) => d.day))
  assert.deepEqual(march.slice(33, 37), ['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31'])
  const october = month.monthGrid(2026, 10).flatMap((w) => w.days.map((d) => d.day))
  const at = october.indexOf('2026-10-25')
  assert.deepEqual(october.slice(at - 1, at + 2), ['2026-10-24', '2026-10-25', '2026-10-26'])
  assert.equal(new Set(october).size, october.length)
  assert.equal(month.addDays('2026-03-28', 2), '2026-03-30')
  assert.equal(month.addDays('2026-10-26', -2), '2026-10-24')
})

test('ISO week numbers of the grid rows', () => {
  assert.equal(month.isoWeek('2026-01-01'), 1)
  assert.equal(month.isoWeek('2027-01-01'), 53)
  assert.equal(month.isoWeek('2024-12-30'), 1)
  assert.equal(month.monthGrid(2026, 3)[0].week, 9)
})

test('months move across years; a month query is read or refused', () => {
  assert.deepEqual(month.shiftMonth(2026, 1, -1), { year: 2025, month: 12 })
  assert.deepEqual(month.shiftMonth(2026, 12, 1), { year: 2027, month: 1 })
  assert.deepEqual(month.monthRange(2028, 2), { from: '2028-02-01', to: '2028-02-29' })
  assert.deepEqual(month.parseMonth('2026-05'), { year: 2026, month: 5 })
  assert.equal(month.parseMonth('2026-13'), null)
  assert.equal(month.parseMonth(null), null)
})

test('meetings land on the day of their Dutch start, in order; today is the Dutch day', () => {
  const items = [
    { id: 2, starts: '2026-03-29T14:00' },
    { id: 1, starts: '2026-03-29T09:30' },
    { id: 3, starts: '2026-04-01T10:00' },
  ]
  const days = month.byDay(items)
  assert.deepEqual(days.get('2026-03-29').map((m) => m.id), [1, 2])
  assert.deepEqual(month.byMonth(items).map(([key, list]) => [key, list.length]), [['2026-03', 2], ['2026-04', 1]])
  assert.equal(month.timeOf('2026-03-29T09:30'), '09:30')
  // 23:30 UTC on 31 March is already 1 April in Amsterdam (CEST)
  assert.equal(month.todayInAmsterdam(new Date('2026-03-31T23:30:00Z')), '2026-04-01')
  assert.equal(month.todayInAmsterdam(new Date('2026-01-31T22:30:00Z')), '2026-01-31')
})

test('a period becomes from/to days', () => {
  assert.deepEqual(filters.periodRange('2024'), { from: '2024-01-01', to: '2024-12-31' })
  assert.deepEqual(filters.periodRange('2024-Q3'), { from: '2024-07-01', to: '2024-09-30' })
  assert.deepEqual(filters.periodRange('2024-q1'), { from: '2024-01-01', to: '2024-03-31' })
  assert.deepEqual(filters.periodRange('2024-H2'), { from: '2024-07-01', to: '2024-12-31' })
  assert.deepEqual(filters.periodRange('2024-02'), { from: '2024-02-01', to: '2024-02-29' })
  assert.equal(filters.periodRange('Q3'), null)
  assert.equal(filters.periodRange('2024-13'), null)
})

test('register filters go into the API query and the screen address alike', () => {
  const filter = { q: ' pakket ', body: 4, period: '2024-Q3', party: 'ZIN', topic: '', source: 'decision_request' }
  assert.equal(filters.registerQuery(filter, true).toString(), 'q=pakket&body=4&from=2024-07-01&to=2024-09-30&party=ZIN&source=decision_request')
  // a body's own register has no body parameter
  assert.equal(filters.registerQuery(filter, false).toString(), 'q=pakket&from=2024-07-01&to=2024-09-30&party=ZIN&source=decision_request')
  assert.equal(filters.registerQuery({}, true).toString(), '')
  const screen = filters.screenQuery(filter)
  assert.equal(screen.toString(), 'q=pakket&body=4&period=2024-Q3&party=ZIN&source=decision_request')
  assert.deepEqual(filters.filterFromQuery(screen), { q: 'pakket', period: '2024-Q3', party: 'ZIN', source: 'decision_request', body: 4 })
  assert.deepEqual(filters.filterFromQuery(new URLSearchParams('body=x&q=')), {})
})
