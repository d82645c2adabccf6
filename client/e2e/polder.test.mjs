// End-to-end: two people of two parties co-edit one draft in Chromium against a real server.
// Steps run in order and share the browser pages. Screenshots → artifacts/screenshots/,
// performance figures → artifacts/perf.json.
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, launchBrowser, newPersonPage, websocketRefused } from './lib/browser.mjs'
import { fiftyPageDraft } from './lib/draft.mjs'
import { installLatencyProbe, summarise, typeAndMeasure } from './lib/perf.mjs'
import { clientDir, createUser, freePort, grant, makeDataDir, removeDataDir, repoDir, startServer } from './lib/server.mjs'

const artifacts = join(repoDir, 'artifacts')
const screenshots = join(artifacts, 'screenshots')
const PASSWORD = 'polder-e2e-wachtwoord'
const anna = { email: 'anna.devries@minvws.nl', name: 'Anna de Vries (VWS)', password: PASSWORD }
const joost = { email: 'j.bakker@zorginstituut.nl', name: 'Joost Bakker (ZIN)', password: PASSWORD }
const DRAFT = 'advies-pakketbeheer'
const READ_ONLY_DRAFT = 'besluit-bo-iza'
const PERF_DRAFT = 'advies-50-paginas'

let dataDir, port, server, browser, A, B
const perf = {}

async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false })
  console.log(`  screenshot artifacts/screenshots/${name}.png`)
}

async function signIn(person, who) {
  const { page } = person
  await page.getByLabel('E-mailadres').fill(who.email)
  await page.getByLabel('Wachtwoord').fill(who.password)
  await page.getByRole('button', { name: 'Inloggen' }).click()
}

async function waitConnected(page) {
  await page.locator('#connection-status[data-state="connected"], #connection-status[data-state="merged"]').waitFor({ timeout: 15_000 })
}

/** The draft's text without the remote-cursor labels. */
function draftText(page) {
  return page.locator('#draft-editor').evaluate((editor) => {
    const copy = editor.cloneNode(true)
    copy.querySelectorAll('.ProseMirror-yjs-cursor').forEach((cursor) => cursor.remove())
    return copy.textContent
  })
}

function assertNoConsoleErrors(person, label) {
  assert.deepEqual(person.consoleErrors, [], `unexpected console errors (${label})`)
}

before(async () => {
  await mkdir(screenshots, { recursive: true })
  dataDir = await makeDataDir()
  await createUser(dataDir, anna)
  await createUser(dataDir, joost)
  for (const doc of [DRAFT, PERF_DRAFT]) {
    await grant(dataDir, { doc, email: anna.email, role: 'writer' })
    await grant(dataDir, { doc, email: joost.email, role: 'writer' })
  }
  await grant(dataDir, { doc: READ_ONLY_DRAFT, email: anna.email, role: 'writer' })
  await grant(dataDir, { doc: READ_ONLY_DRAFT, email: joost.email, role: 'reader' })
  port = await freePort()
  server = await startServer({ dataDir, port })
  console.log(`  server on ${server.base}, data in ${dataDir}`)
  browser = await launchBrowser()
  A = await newPersonPage(browser, server.base)
  B = await newPersonPage(browser, server.base)
  // signed out, the app asks /api/me once and gets 401: Chrome logs that response as an error
  for (const person of [A, B]) person.allowConsoleError(httpStatusLogged(401, '/api/me'))
})

after(async () => {
  await browser?.close()
  const stopped = await server?.stop()
  if (stopped && stopped.code !== 0 && stopped.signal !== 'SIGTERM') console.log(server.log.join(''))
  if (dataDir) await removeDataDir(dataDir)
  await writeFile(join(artifacts, 'perf.json'), JSON.stringify(perf, null, 2) + '\n')
  console.log(`  perf: ${JSON.stringify(perf)}`)
})

// The steps build on each other: after the first failure the rest are skipped.
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

describe('Polder in the browser', { concurrency: false }, () => {
  step('sign-in screen: plain-language errors, accessible, Dutch by default', async () => {
    const { page } = A
    await page.goto('/')
    await page.waitForURL('**/sign-in')
    assert.equal(await page.getAttribute('html', 'lang'), 'nl')
    await page.getByRole('heading', { level: 1, name: 'Inloggen' }).waitFor()
    await checkAccessibility(page, 'sign-in')
    await shot(page, 'sign-in')

    await page.getByRole('button', { name: 'Inloggen' }).click()
    await page.getByRole('alert').getByText('Vul het veld “E-mailadres” in.').waitFor()

    const allow = A.allowConsoleError(httpStatusLogged(401, '/api/session'))
    await page.getByLabel('E-mailadres').fill(anna.email)
    await page.getByLabel('Wachtwoord').fill('niet-het-wachtwoord')
    await page.getByRole('button', { name: 'Inloggen' }).click()
    await page.getByRole('alert').getByText('Het e-mailadres of het wachtwoord klopt niet').waitFor()
    allow()
    await checkAccessibility(page, 'sign-in with error')
    await shot(page, 'sign-in-error')

    // throttling and an unreachable server, simulated in the browser (the server's own login
    // throttling answers 429 the same way)
    const allow429 = A.allowConsoleError(httpStatusLogged(429, '/api/session'))
    await page.route('**/api/session', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '30', 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'too_many_requests', message: 'too many sign-in attempts' } }),
      }),
    )
    await signIn(A, anna)
    await page.getByRole('alert').getByText('Te veel inlogpogingen. Probeer het over 30 seconden opnieuw.').waitFor()
    await page.unroute('**/api/session')
    allow429()
    const allowRefused = A.allowConsoleError((entry) => entry.text.includes('net::ERR_CONNECTION_REFUSED') || entry.text.includes('net::ERR_FAILED'))
    await page.route('**/api/session', (route) => route.abort('connectionrefused'))
    await signIn(A, anna)
    await page.getByRole('alert').getByText('De server is niet bereikbaar.').waitFor()
    await page.unroute('**/api/session')
    allowRefused()

    await signIn(A, anna)
    await page.waitForURL((url) => url.pathname === '/')
    await page.getByText(`Ingelogd als ${anna.name}`).waitFor()
    assertNoConsoleErrors(A, 'sign-in')
  })

  step('home screen: open a document by id; keyboard only', async () => {
    const { page } = A
    await page.getByRole('heading', { level: 1, name: 'Mijn documenten' }).waitFor()
    await checkAccessibility(page, 'home')
    await shot(page, 'home')

    // after a page load, the skip link is the first tab stop and moves focus to <main>
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Mijn documenten' }).waitFor()
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Naar de inhoud')
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main')

    const field = page.getByLabel('Documentkenmerk')
    await field.fill('geen geldig kenmerk!')
    await field.press('Enter')
    await page.getByText('Een documentkenmerk begint met een letter of cijfer').waitFor()
    assert.equal(await field.getAttribute('aria-invalid'), 'true')
    await field.fill(DRAFT)
    await field.press('Enter')
    await page.waitForURL(`**/drafts/${DRAFT}`)
    await waitConnected(page)
    assertNoConsoleErrors(A, 'home')
  })

  step('two parties co-edit one draft: text, cursors, presence, connection state', async () => {
    // Joost follows a link to the draft while signed out and lands there after signing in
    await B.page.goto(`/drafts/${DRAFT}`)
    await B.page.waitForURL(`**/sign-in?next=${encodeURIComponent(`/drafts/${DRAFT}`)}`)
    await signIn(B, joost)
    await B.page.waitForURL(`**/drafts/${DRAFT}`)
    await Promise.all([waitConnected(A.page), waitConnected(B.page)])
    assert.match(await A.page.locator('#connection-status').innerText(), /Verbonden/)

    // Anna writes a heading (keyboard shortcut) and a paragraph with a bold word
    const editorA = A.page.locator('#draft-editor')
    await editorA.click()
    await A.page.keyboard.press('Control+Alt+1')
    await A.page.keyboard.type('Advies Beter pakketbeheer')
    await A.page.keyboard.press('Enter')
    await A.page.keyboard.type('De werkgroep adviseert ')
    await A.page.keyboard.press('Control+B')
    await A.page.keyboard.type('gezamenlijk')
    await A.page.keyboard.press('Control+B')
    await A.page.keyboard.type(' pakketbeheer.')
    assert.equal(await A.page.locator('.toolbar-bold').getAttribute('aria-pressed'), 'false')

    const editorB = B.page.locator('#draft-editor')
    await editorB.locator('h2', { hasText: 'Advies Beter pakketbeheer' }).waitFor()
    await editorB.locator('strong', { hasText: 'gezamenlijk' }).waitFor()

    // Joost adds a numbered list at the end, with the toolbar
    await editorB.locator('p', { hasText: 'pakketbeheer.' }).click()
    await B.page.keyboard.press('End')
    await B.page.keyboard.press('Enter')
    await B.page.getByRole('button', { name: 'Genummerde lijst' }).click()
    await B.page.keyboard.type('ZIN stelt het beoordelingskader op.')
    await editorA.locator('ol li', { hasText: 'ZIN stelt het beoordelingskader op.' }).waitFor()

    // each sees the other's cursor with a name label
    await A.page.locator('.cursor-label', { hasText: joost.name }).waitFor()
    await editorA.locator('p', { hasText: 'De werkgroep' }).click()
    await B.page.locator('.cursor-label', { hasText: anna.name }).waitFor()

    // presence: both, with initials avatars in party colours
    for (const person of [A, B]) {
      await person.page.locator('.presence-user').nth(1).waitFor()
      assert.equal(await person.page.locator('.presence-user').count(), 2)
      assert.match(await person.page.locator('.presence-count').innerText(), /2 personen/)
    }
    const avatars = await A.page.locator('.avatar').evaluateAll((els) => els.map((el) => [el.textContent, getComputedStyle(el).backgroundColor]))
    assert.deepEqual(avatars.map(([text]) => text).sort(), ['AV', 'JB'])
    assert.notEqual(avatars[0][1], avatars[1][1], 'party colours differ')

    await checkAccessibility(A.page, 'editor')
    await shot(A.page, 'editor')
    await shot(B.page, 'editor-second-party')
    assertNoConsoleErrors(A, 'editor A')
    assertNoConsoleErrors(B, 'editor B')
  })

  step('language switch to English and back keeps the editor', async () => {
    const { page } = A
    await page.getByRole('button', { name: 'Switch to English' }).click()
    assert.equal(await page.getAttribute('html', 'lang'), 'en')
    await page.getByRole('heading', { level: 1, name: `Advice draft ${DRAFT}` }).waitFor()
    assert.match(await page.locator('#connection-status').innerText(), /Connected/)
    await page.getByRole('button', { name: 'Numbered list' }).waitFor()
    await page.getByText(`Signed in as ${anna.name}`).waitFor()
    assert.match(await page.title(), /^Advice draft/)
    await checkAccessibility(page, 'editor (English)')
    await shot(page, 'editor-english')
    await page.getByRole('button', { name: 'Wissel naar Nederlands' }).click()
    assert.equal(await page.getAttribute('html', 'lang'), 'nl')
    await page.getByRole('heading', { level: 1, name: `Adviesconcept ${DRAFT}` }).waitFor()
    await page.locator('#draft-editor strong', { hasText: 'gezamenlijk' }).waitFor()
    assertNoConsoleErrors(A, 'language switch')
  })

  step('offline edits are kept and merged when the server is back', async () => {
    const allowA = A.allowConsoleError(websocketRefused(DRAFT))
    const allowB = B.allowConsoleError(websocketRefused(DRAFT))
    let started = Date.now()
    await server.stop()
    console.log(`  server stopped in ${Date.now() - started} ms`)
    await A.page.locator('#connection-status[data-state="offline"]').waitFor({ timeout: 10_000 })
    assert.match(await A.page.locator('#connection-status').innerText(), /Offline — je wijzigingen worden lokaal bewaard/)

    await A.page.locator('#draft-editor p', { hasText: 'De werkgroep' }).click()
    await A.page.keyboard.press('End')
    await A.page.keyboard.type(' Offline toegevoegd door VWS.')
    await shot(A.page, 'editor-offline')

    started = Date.now()
    server = await startServer({ dataDir, port })
    console.log(`  server restarted in ${Date.now() - started} ms`)
    // "reconnect now" skips the backoff wait, when it is still showing
    const retry = A.page.locator('#retry-now')
    if (await retry.isVisible()) await retry.click({ timeout: 2000 }).catch(() => {})
    await A.page.locator('#connection-status[data-state="merged"]').waitFor({ timeout: 15_000 })
    assert.match(await A.page.locator('#connection-status').innerText(), /Weer verbonden. Je offline wijzigingen zijn samengevoegd./)
    await waitConnected(B.page)
    await B.page.locator('#draft-editor p', { hasText: 'Offline toegevoegd door VWS.' }).waitFor({ timeout: 15_000 })
    allowA()
    allowB()
    assertNoConsoleErrors(A, 'offline A')
    assertNoConsoleErrors(B, 'offline B')
  })

  step('a reader sees the draft read-only', async () => {
    await A.page.goto(`/drafts/${READ_ONLY_DRAFT}`)
    await waitConnected(A.page)
    await A.page.locator('#draft-editor').click()
    await A.page.keyboard.type('Besluit van het BO-IZA.')

    await B.page.goto(`/drafts/${READ_ONLY_DRAFT}`)
    await waitConnected(B.page)
    await B.page.locator('#draft-editor p', { hasText: 'Besluit van het BO-IZA.' }).waitFor()
    await B.page.locator('#draft-editor').click()
    await B.page.keyboard.type('x')
    await B.page.locator('#connection-status[data-state="read-only"]').waitFor({ timeout: 10_000 })
    assert.match(await B.page.locator('#connection-status').innerText(), /Alleen lezen/)
    assert.equal(await B.page.locator('#draft-editor').getAttribute('contenteditable'), 'false')
    assert.equal(await draftText(B.page), 'Besluit van het BO-IZA.')
    await B.page.keyboard.type('y')
    await B.page.waitForTimeout(300)
    assert.equal(await draftText(A.page), 'Besluit van het BO-IZA.')
    await checkAccessibility(B.page, 'editor (read-only)')
    await shot(B.page, 'editor-read-only')
    assertNoConsoleErrors(A, 'read-only A')
    assertNoConsoleErrors(B, 'read-only B')
  })

  step('performance: 50-page draft, typing latency, bundle size', async () => {
    const draft = fiftyPageDraft()
    await A.page.goto(`/drafts/${PERF_DRAFT}`)
    await waitConnected(A.page)
    await A.page.locator('#draft-editor').click()
    // paste the whole draft, as someone moving an existing text into Polder would
    const pasteMs = await A.page.evaluate((html) => {
      const editor = document.querySelector('#draft-editor')
      const data = new DataTransfer()
      data.setData('text/html', html)
      const started = performance.now()
      editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
      return performance.now() - started
    }, draft.html)
    const counted = await A.page.locator('#draft-editor').evaluate((el) => el.innerText.split(/\s+/).filter(Boolean).length)
    assert.ok(counted >= 25_000, `draft has ${counted} words`)

    // the other party opens it cold from the server
    const openStarted = Date.now()
    await B.page.goto(`/drafts/${PERF_DRAFT}`)
    await waitConnected(B.page)
    await B.page.locator('#draft-editor h2', { hasText: '50. Hoofdstuk 50' }).waitFor({ timeout: 30_000 })
    const openMs = Date.now() - openStarted

    // type 100 characters in the middle of the draft (page 25), with the other party connected
    await A.page.locator('#draft-editor p').nth(340).click()
    await A.page.keyboard.press('End')
    await installLatencyProbe(A.page, '#draft-editor')
    const text = ' Samen werken aan gezonde zorg vraagt om heldere afspraken tussen alle partijen in het veld nu.'.padEnd(100, 'x')
    const samples = await typeAndMeasure(A.page, text)
    await B.page.locator('#draft-editor p', { hasText: 'heldere afspraken tussen alle partijen' }).waitFor({ timeout: 15_000 })

    perf.draft = { pages: draft.pages, words: counted, blocks: await A.page.locator('#draft-editor > *').count() }
    perf.pasteMs = Math.round(pasteMs)
    perf.openFromServerMs = openMs
    perf.typingLatencyMs = {
      keydownToDom: summarise(samples.map((s) => s.dom)),
      keydownToNextFrame: summarise(samples.map((s) => s.frame)),
    }
    perf.bundle = await bundleSize()
    console.log(`  typing latency over ${samples.length} keystrokes in a ${counted}-word draft:`)
    console.log(`    keydown → DOM:        median ${perf.typingLatencyMs.keydownToDom.median} ms, p95 ${perf.typingLatencyMs.keydownToDom.p95} ms`)
    console.log(`    keydown → next frame: median ${perf.typingLatencyMs.keydownToNextFrame.median} ms, p95 ${perf.typingLatencyMs.keydownToNextFrame.p95} ms`)
    console.log(`  paste of the draft: ${perf.pasteMs} ms; second party opens it: ${openMs} ms`)
    console.log(`  bundle (gzip -9): js ${perf.bundle.jsGzipBytes} B, css ${perf.bundle.cssGzipBytes} B`)
    await shot(A.page, 'editor-50-pages')
    assertNoConsoleErrors(A, 'perf A')
    assertNoConsoleErrors(B, 'perf B')
  })

  step('sign-out returns to the sign-in screen and ends the session', async () => {
    const { page } = B
    await page.getByRole('button', { name: 'Uitloggen' }).click()
    await page.waitForURL('**/sign-in?signed-out=1')
    await page.getByRole('heading', { level: 1, name: 'Inloggen' }).waitFor()
    // the session is gone on the server too: the draft sends us back to signing in
    await page.goto(`/drafts/${DRAFT}`)
    await page.waitForURL('**/sign-in?next=*')
    assertNoConsoleErrors(B, 'sign-out')
  })
})

async function bundleSize() {
  const dir = join(clientDir, 'dist', 'assets')
  const result = { jsBytes: 0, jsGzipBytes: 0, cssBytes: 0, cssGzipBytes: 0 }
  for (const name of await readdir(dir)) {
    const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null
    if (!kind) continue
    const content = await readFile(join(dir, name))
    result[`${kind}Bytes`] += content.length
    result[`${kind}GzipBytes`] += gzipSync(content, { level: 9 }).length
  }
  return result
}
