// End-to-end: removing a person and downloading one's own data. The administrator opens the
// people table, presses "Verwijderen" for Joost (ZIN) with the keyboard, reads in the dialog
// what is erased and what stays, cancels with Escape (focus back on the button), then confirms;
// Joost is gone from the table and cannot sign in. On the settings screen a person finds the
// "Mijn gegevens downloaden" link to /api/me/data, and gets their data from it.
// Screenshots → artifacts/screenshots/removal-*.png.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { assertNoConsoleErrors, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const admin = demoPerson('beheer@polder.demo')
const joost = demoPerson('joost@zin.demo')
const suite = demoSuite({ pages: 2 })
const step = stepper()

describe('Removing a person in the browser', { concurrency: false }, () => {
  step('a person downloads their data from the settings screen', async () => {
    const [, J] = suite.people
    const { page } = J
    await signIn(J, joost)
    await page.goto('/settings')
    const link = page.locator('#download-my-data')
    await link.waitFor()
    assert.equal(await link.innerText(), 'Mijn gegevens downloaden')
    assert.equal(await link.getAttribute('href'), '/api/me/data')
    const data = await page.evaluate(async () => (await fetch('/api/me/data')).json())
    assert.equal(data.person.email, 'joost@zin.demo')
    await checkAccessibility(page, 'settings with the data download')
    assertNoConsoleErrors(J, 'settings')
  })

  step('the administrator removes a person after confirming in the dialog', async () => {
    const [A] = suite.people
    const { page } = A
    await signIn(A, admin)
    await page.goto('/admin')
    const row = page.locator('#people-table tr', { hasText: 'Joost Bakker' })
    await row.waitFor()
    const button = row.getByRole('button', { name: 'Joost Bakker verwijderen' })
    await button.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Joost Bakker verwijderen?' })
    await dialog.waitFor()
    const text = await dialog.innerText()
    assert.match(text, /Gewist worden/)
    assert.match(text, /voormalig lid, ZIN/)
    assert.match(text, /niet ongedaan/)
    // focus starts on cancel; Escape closes and returns focus to the button
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'remove-person-cancel')
    await checkAccessibility(page, 'remove person dialog')
    await shot(page, 'removal-dialog')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-remove-person') !== null), true)
    // again, and confirm with the keyboard
    await page.keyboard.press('Enter')
    await dialog.waitFor()
    await page.keyboard.press('Shift+Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'remove-person-confirm')
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'detached' })
    await page.locator('#people-table').waitFor()
    await page.waitForFunction(() => !document.querySelector('#people-table')?.textContent?.includes('Joost Bakker'))
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'admin-people-title')
    await shot(page, 'removal-done', { top: true })
    assertNoConsoleErrors(A, 'administration')
  })

  step('the removed person can no longer sign in', async () => {
    const [A] = suite.people
    const status = await A.page.evaluate(async (who) => {
      const response = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) })
      return response.status
    }, joost)
    assert.equal(status, 401)
  })
})
