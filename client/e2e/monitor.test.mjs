// End-to-end: the programme monitor. The secretariat (Bram, VWS) opens the monitor from the
// home screen, sees the counts, lists, timeline and what each party owes across the groups he
// may read, filters by a party (the filter goes into the URL), and follows a link from the
// timeline to a milestone. axe runs on each screen.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const bram = demoPerson('bram@vws.demo')

let S
demoSuite({
  ready: (suite) => {
    ;[S] = suite.people
  },
})

const step = stepper()

describe('the programme monitor in the browser', { concurrency: false }, () => {
  step('the programme team opens the monitor, filters by a party and opens a milestone', async () => {
    const { page } = S
    await signIn(S, bram)
    await page.locator('#monitor-link').click()
    await page.waitForURL(/\/programme$/)
    await page.getByRole('heading', { level: 1, name: 'Programmamonitor' }).waitFor()
    for (const label of ['Groep', 'Partij', 'Actielijn', 'Kwartaal', 'Stand of status']) await page.getByLabel(label, { exact: true }).waitFor()
    await page.locator('#monitor-overall').waitFor()
    const total = Number(await page.locator('#monitor-overall tbody td[data-count="total"]').textContent())
    assert.ok(total > 5, `the demo's milestones are counted (${total})`)
    // the demo's dependency: its predecessor is late, so it is flagged
    await page.locator('#monitor-timeline tbody tr', { hasText: 'Reacties van partijen op de startnotitie' }).first().waitFor()
    await page.locator('#monitor-owes div.owes-party[data-party="ZIN"]').waitFor()
    await checkAccessibility(page, 'programme monitor')
    await shot(page, 'monitor', { top: true })

    await page.getByLabel('Partij', { exact: true }).selectOption('ZIN')
    await page.waitForURL(/party=ZIN/)
    await page.locator('#monitor-state').waitFor()
    const zin = Number(await page.locator('#monitor-overall tbody td[data-count="total"]').textContent())
    assert.ok(zin > 0 && zin < total, `the party filter narrows the counts (${zin} of ${total})`)
    // the shared URL opens the same view
    await page.goto('/programme?party=ZIN')
    await page.locator('#monitor-overall').waitFor()
    assert.equal(await page.getByLabel('Partij', { exact: true }).inputValue(), 'ZIN')
    await checkAccessibility(page, 'programme monitor filtered by ZIN')

    const link = page.locator('#monitor-timeline tbody a').first()
    const title = (await link.textContent()) ?? ''
    await link.focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/milestones\/\d+$/)
    await page.getByRole('heading', { level: 1, name: title }).waitFor()
    await checkAccessibility(page, 'a milestone opened from the monitor')
    assert.deepEqual(S.consoleErrors, [])
  })
})
