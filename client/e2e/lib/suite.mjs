// What the browser suites share: the demo's people, screenshots, signing in, steps that stop at
// the first failure, and a demo server with a browser for the lifetime of one suite.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { httpStatusLogged, launchBrowser, newPersonPage } from './browser.mjs'
import { freePort, loadDemo, makeDataDir, removeDataDir, repoDir, startServer } from './server.mjs'

export const DEMO_PASSWORD = 'polder-demo-2026'
export const DEMO_GROUP = 'Werkgroep Beter pakketbeheer'
export const DEMO_DRAFT = 'Advies Beter pakketbeheer'
export const screenshots = join(repoDir, 'artifacts', 'screenshots')

/** A person of the demo (`polder demo`), by e-mail address. */
export const demoPerson = (email) => ({ email, password: DEMO_PASSWORD })

/** Saves `artifacts/screenshots/<name>.png`; `top` scrolls up first, `full` takes the whole page. */
export async function shot(page, name, { top = false, full = false } = {}) {
  if (top) await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: full })
  console.log(`  screenshot artifacts/screenshots/${name}.png`)
}

/** Fills in and sends the sign-in form the page shows. */
export async function fillSignIn(page, who) {
  await page.getByLabel('E-mailadres').fill(who.email)
  await page.getByLabel('Wachtwoord').fill(who.password)
  await page.getByRole('button', { name: 'Inloggen' }).click()
}

/** Opens the sign-in screen, signs `who` in and waits until the app has moved on. */
export async function signIn(person, who) {
  const { page } = person
  await page.goto('/sign-in')
  await fillSignIn(page, who)
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
}

export function assertNoConsoleErrors(person, label) {
  assert.deepEqual(person.consoleErrors, [], `unexpected console errors (${label})`)
}

/** A `step(name, fn)` for steps that build on each other: after the first failure the rest are skipped. */
export function stepper() {
  let failed = false
  return function step(name, fn) {
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
}

/**
 * Before the suite: a data dir with the demo (then `prepare(dataDir)`), a server on a free
 * port (`server` are more `startServer` options), Chromium and `pages` signed-out people, then
 * `ready(suite)`; after it, all of it stopped and removed.
 */
export function demoSuite({ pages = 1, prepare, ready, server: options = {} } = {}) {
  const suite = { dataDir: null, server: null, browser: null, people: [] }
  before(async () => {
    await mkdir(screenshots, { recursive: true })
    suite.dataDir = await makeDataDir()
    await loadDemo(suite.dataDir)
    await prepare?.(suite.dataDir)
    suite.server = await startServer({ dataDir: suite.dataDir, port: await freePort(), ...options })
    console.log(`  server on ${suite.server.base}, data in ${suite.dataDir}`)
    suite.browser = await launchBrowser()
    for (let i = 0; i < pages; i += 1) {
      const person = await newPersonPage(suite.browser, suite.server.base)
      // signed out, the app asks /api/me once and gets 401: Chrome logs that response as an error
      person.allowConsoleError(httpStatusLogged(401, '/api/me'))
      suite.people.push(person)
    }
    ready?.(suite)
  })
  after(async () => {
    await suite.browser?.close()
    const stopped = await suite.server?.stop()
    if (stopped && stopped.code !== 0 && stopped.signal !== 'SIGTERM') console.log(suite.server.log.join(''))
    if (suite.dataDir) await removeDataDir(suite.dataDir)
  })
  return suite
}
