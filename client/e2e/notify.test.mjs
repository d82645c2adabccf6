// End-to-end: mentions with autocomplete in a draft's comment box, following a draft, and the
// notifications they produce in the other person's inbox. The demo working group, in Chromium
// against a real server. Screenshots → artifacts/screenshots/.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, launchBrowser, newPersonPage } from './lib/browser.mjs'
import { freePort, loadDemo, makeDataDir, removeDataDir, repoDir, startServer } from './lib/server.mjs'

const screenshots = join(repoDir, 'artifacts', 'screenshots')
const DEMO_PASSWORD = 'polder-demo-2026'
const chair = { email: 'anna@vws.demo', password: DEMO_PASSWORD }
const zin = { email: 'joost@zin.demo', password: DEMO_PASSWORD }
const observer = { email: 'mark@vng.demo', password: DEMO_PASSWORD }
const DEMO_GROUP = 'Werkgroep Beter pakketbeheer'
const DEMO_DRAFT = 'Advies Beter pakketbeheer'

let dataDir, server, browser, A, J, M
let draftPath

async function shot(page, name, { top = true } = {}) {
  if (top) await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false })
  console.log(`  screenshot artifacts/screenshots/${name}.png`)
}

async function signIn(person, who) {
  const { page } = person
  await page.goto('/')
  await page.waitForURL('**/sign-in')
  await page.getByLabel('E-mailadres').fill(who.email)
  await page.getByLabel('Wachtwoord').fill(who.password)
  await page.getByRole('button', { name: 'Inloggen' }).click()
  await page.getByRole('heading', { level: 1, name: 'Mijn overzicht' }).waitFor()
}

before(async () => {
  await mkdir(screenshots, { recursive: true })
  dataDir = await makeDataDir()
  await loadDemo(dataDir)
  server = await startServer({ dataDir, port: await freePort() })
  browser = await launchBrowser()
  A = await newPersonPage(browser, server.base)
  J = await newPersonPage(browser, server.base)
  M = await newPersonPage(browser, server.base)
  for (const person of [A, J, M]) person.allowConsoleError(httpStatusLogged(401, '/api/me'))
})

after(async () => {
  await browser?.close()
  const stopped = await server?.stop()
  if (stopped && stopped.code !== 0 && stopped.signal !== 'SIGTERM') console.log(server.log.join(''))
  if (dataDir) await removeDataDir(dataDir)
})

let failed = false
function step(name, fn) {
  test(name, { timeout: 120_000 }, async (t) => {
    if (failed) return t.skip('an earlier step failed')
    try {
      await fn(t)
    } catch (error) {
      failed = true
      throw error
    }
  })
}

describe('Mentions, following and their notifications', { concurrency: false }, () => {
  step('an observer follows the draft with a toggle button', async () => {
    await signIn(M, observer)
    const { page } = M
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).click()
    await page.waitForURL(/\/drafts\/\d+$/)
    draftPath = new URL(page.url()).pathname
    const follow = page.getByRole('button', { name: 'Volgen' })
    await follow.waitFor()
    await page.locator('.follow-count', { hasText: '0 volgers' }).waitFor()
    assert.equal(await follow.getAttribute('aria-pressed'), 'false')
    await follow.focus()
    await page.keyboard.press('Enter')
    await page.locator('.follow-button[aria-pressed="true"]').waitFor()
    await page.locator('.follow-count', { hasText: 'Je volgt dit' }).waitFor()
    await page.locator('#announcer', { hasText: 'Je volgt dit concept' }).waitFor()
    await checkAccessibility(page, 'draft followed')
    await shot(page, 'draft-follow')
  })

  step('typing @ in the comment box suggests people and parties; keyboard picks one', async () => {
    await signIn(A, chair)
    const { page } = A
    await page.goto(draftPath)
    await page.getByRole('heading', { level: 1, name: DEMO_DRAFT }).waitFor()
    const box = page.getByLabel('Nieuwe opmerking')
    await box.click()
    await box.pressSequentially('Graag jouw bron, @Jo')
    const list = page.getByRole('listbox', { name: 'Voorstellen om te noemen' })
    await list.getByRole('option', { name: /Joost Bakker/ }).waitFor()
    assert.equal(await box.getAttribute('aria-autocomplete'), 'list')
    assert.ok((await box.getAttribute('aria-activedescendant'))?.length)
    await checkAccessibility(page, 'mention suggestions')
    await list.scrollIntoViewIfNeeded()
    await shot(page, 'draft-mention-suggestions', { top: false })
    await page.keyboard.press('Enter')
    assert.equal(await box.inputValue(), 'Graag jouw bron, @Joost Bakker ')
    await list.waitFor({ state: 'hidden' })
    // and a party by its code
    await box.pressSequentially('en @FM')
    await list.getByRole('option', { name: /Partij FMS/ }).waitFor()
    // Fatima (FMS) first, then the party: down, down wraps to the top, up is the party
    await list.getByRole('option', { name: /Fatima El Amrani/ }).waitFor()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    assert.equal(await list.locator('[aria-selected="true"]').innerText().then((text) => text.includes('Partij FMS')), true)
    await page.keyboard.press('Enter')
    assert.equal(await box.inputValue(), 'Graag jouw bron, @Joost Bakker en @FMS ')
    await page.getByRole('button', { name: 'Plaatsen' }).click()
    const thread = page.locator('.thread', { hasText: 'Graag jouw bron' })
    await thread.getByText('Genoemd: Joost Bakker, FMS').waitFor()
    await page.locator('#announcer', { hasText: 'Je opmerking is geplaatst.' }).waitFor()
  })

  step('the mentioned person finds the mention in the inbox, live', async () => {
    await signIn(J, zin)
    const { page } = J
    await page.goto('/inbox')
    const item = page.locator('.inbox-item[data-kind="mention"]', { hasText: DEMO_DRAFT })
    await item.waitFor({ timeout: 30_000 })
    await item.getByText('door Anna de Vries').waitFor()
    await item.getByRole('link', { name: DEMO_DRAFT }).waitFor()
    await checkAccessibility(page, 'inbox with a mention')
    await shot(page, 'inbox-mention')
  })

  step('a status change reaches the follower of an informed party', async () => {
    const { page } = A
    await page.goto(draftPath)
    await page.getByRole('button', { name: 'Consultatie openen' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    await dialog.locator('#flow-confirm').click()
    await page.locator('.flow-current[data-status="consultatie"]').waitFor()
    await M.page.goto('/inbox')
    const item = M.page.locator('.inbox-item[data-kind="status_change"]', { hasText: DEMO_DRAFT })
    await item.waitFor({ timeout: 30_000 })
    await item.getByText('Nu: consultatie').waitFor()
    await checkAccessibility(M.page, 'inbox with a status change')
    await shot(M.page, 'inbox-status-change')
  })
})
