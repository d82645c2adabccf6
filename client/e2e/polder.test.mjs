// End-to-end: two people of two parties co-edit one draft in Chromium against a real server;
// then the demo working group: group screen, comments between parties, versions and their
// comparison, the status flow freezing the draft live, administration and settings.
// Steps run in order and share the browser pages. Screenshots → artifacts/screenshots/,
// performance figures → artifacts/perf.json.
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe } from 'node:test'
import { gzipSync } from 'node:zlib'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, inboxRefused, launchBrowser, newPersonPage, websocketRefused } from './lib/browser.mjs'
import { fiftyPageDraft } from './lib/draft.mjs'
import { installLatencyProbe, summarise, typeAndMeasure } from './lib/perf.mjs'
import { clientDir, createUser, freePort, grant, loadDemo, makeDataDir, removeDataDir, repoDir, startServer } from './lib/server.mjs'
import { assertNoConsoleErrors, fillSignIn, shot, stepper } from './lib/suite.mjs'

const artifacts = join(repoDir, 'artifacts')
const screenshots = join(artifacts, 'screenshots')
const PASSWORD = 'polder-e2e-wachtwoord'
const anna = { email: 'anna.devries@minvws.nl', name: 'Anna de Vries (VWS)', password: PASSWORD, party: 'VWS' }
const joost = { email: 'j.bakker@zorginstituut.nl', name: 'Joost Bakker (ZIN)', password: PASSWORD, party: 'ZIN' }
const DRAFT = 'advies-pakketbeheer'
const READ_ONLY_DRAFT = 'besluit-bo-iza'
const PERF_DRAFT = 'advies-50-paginas'
// the demo working group (polder demo): chair of VWS, member of ZIN, administrator
const DEMO_PASSWORD = 'polder-demo-2026'
const chair = { email: 'anna@vws.demo', name: 'Anna de Vries', password: DEMO_PASSWORD }
const zin = { email: 'joost@zin.demo', name: 'Joost Bakker', password: DEMO_PASSWORD }
const admin = { email: 'beheer@polder.demo', name: 'Beheerder', password: DEMO_PASSWORD }
const DEMO_GROUP = 'Werkgroep Beter pakketbeheer'
const DEMO_DRAFT = 'Advies Beter pakketbeheer'

let dataDir, port, server, browser, A, B, C, D, E
let demoDraftPath, demoGroupPath
const perf = {}

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

before(async () => {
  await mkdir(screenshots, { recursive: true })
  dataDir = await makeDataDir()
  // the demo first (it loads only into an empty database); it brings the parties as well
  await loadDemo(dataDir)
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
const step = stepper()

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
    await fillSignIn(A.page, anna)
    await page.getByRole('alert').getByText('Te veel inlogpogingen. Probeer het over 30 seconden opnieuw.').waitFor()
    await page.unroute('**/api/session')
    allow429()
    const allowRefused = A.allowConsoleError((entry) => entry.text.includes('net::ERR_CONNECTION_REFUSED') || entry.text.includes('net::ERR_FAILED'))
    await page.route('**/api/session', (route) => route.abort('connectionrefused'))
    await fillSignIn(A.page, anna)
    await page.getByRole('alert').getByText('De server is niet bereikbaar.').waitFor()
    await page.unroute('**/api/session')
    allowRefused()

    await fillSignIn(A.page, anna)
    await page.waitForURL((url) => url.pathname === '/')
    await page.getByText(`Ingelogd als ${anna.name}`).waitFor()
    assertNoConsoleErrors(A, 'sign-in')
  })

  step('home screen: open a document by id; keyboard only', async () => {
    const { page } = A
    await page.getByRole('heading', { level: 1, name: 'Mijn overzicht' }).waitFor()
    await page.getByText('Je bent nog geen lid van een werkgroep').waitFor()
    await checkAccessibility(page, 'home')
    await shot(page, 'home')

    // after a page load, the skip link is the first tab stop and moves focus to <main>
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Mijn overzicht' }).waitFor()
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
    await fillSignIn(B.page, joost)
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
    const allowA = A.allowConsoleError((entry) => websocketRefused(DRAFT)(entry) || inboxRefused(entry))
    const allowB = B.allowConsoleError((entry) => websocketRefused(DRAFT)(entry) || inboxRefused(entry))
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

    // the server tells a reader at once (or, older servers, on the first refused edit)
    await B.page.goto(`/drafts/${READ_ONLY_DRAFT}`)
    await B.page.locator('#connection-status[data-state="connected"], #connection-status[data-state="read-only"]').waitFor({ timeout: 15_000 })
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

  step('access that ends while the draft is open: the editor stops and says why', async () => {
    // a second browser of the same reader, with a session of its own
    const C = await newPersonPage(browser, server.base)
    C.allowConsoleError(httpStatusLogged(401, '/api/me'))
    try {
      await C.page.goto('/')
      const signedIn = C.page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST')
      await fillSignIn(C.page, joost)
      assert.ok((await signedIn).ok(), "signed in")
      await C.page.goto(`/drafts/${READ_ONLY_DRAFT}`)
      await C.page.locator('#connection-status[data-state="connected"], #connection-status[data-state="read-only"]').waitFor({ timeout: 15_000 })
      await C.page.locator('#draft-editor p', { hasText: 'Besluit van het BO-IZA.' }).waitFor()
      // that session ends elsewhere (as another tab's sign-out would): the server closes its
      // open socket with a permanent code, and the editor must not keep reconnecting
      const status = await C.page.evaluate(async () => {
        const csrf = document.cookie.split('; ').find((c) => c.startsWith('polder_csrf='))?.split('=')[1] ?? ''
        const response = await fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': csrf } })
        return response.status
      })
      assert.ok(status < 300, `sign-out answered ${status}`)
      await C.page.locator('#connection-status[data-state="closed"]').waitFor({ timeout: 10_000 })
      assert.match(await C.page.locator('#connection-status').innerText(), /afgemeld/)
      // it stays closed: no reconnect loop against a credential that cannot come back
      await C.page.waitForTimeout(3_000)
      assert.equal(await C.page.locator('#connection-status').getAttribute('data-state'), 'closed')
      // the reader's other session is untouched
      assert.notEqual(await B.page.locator('#connection-status').getAttribute('data-state'), 'closed')
      await checkAccessibility(C.page, 'editor (access ended)')
      await shot(C.page, 'editor-access-ended')
    } finally {
      await C.context.close()
    }
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

  step('demo group: my groups on the home screen; members by party with roles and mandate', async () => {
    C = await newPersonPage(browser, server.base)
    D = await newPersonPage(browser, server.base)
    const { page } = C
    await page.goto('/')
    await page.waitForURL('**/sign-in')
    await fillSignIn(C.page, chair)
    await page.getByRole('heading', { level: 1, name: 'Mijn overzicht' }).waitFor()
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).waitFor()
    await page.locator('#my-tasks').or(page.getByText('Er staat niets voor je open.')).waitFor()
    await checkAccessibility(page, 'home (demo chair)')
    await shot(page, 'home-groups', { top: true })

    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    demoGroupPath = new URL(page.url()).pathname
    await page.getByRole('heading', { level: 1, name: DEMO_GROUP }).waitFor()
    const zinCard = page.locator('.party-card[data-party="ZIN"]')
    await zinCard.getByText(zin.name).waitFor()
    assert.equal(await zinCard.locator('.role-badge').innerText(), 'Lid')
    await zinCard.locator('.mandate').waitFor()
    const vws = page.locator('.party-card[data-party="VWS"]')
    assert.equal(await vws.locator('li', { hasText: chair.name }).locator('.role-badge').innerText(), 'Voorzitter')
    await vws.locator('li', { hasText: 'Bram Jansen' }).getByText('Secretariaat').waitFor()
    await page.locator('.party-card[data-party="IGJ"]').getByText('Wordt geïnformeerd').waitFor()
    const colours = await page.locator('.party-card').evaluateAll((cards) => new Set(cards.map((card) => getComputedStyle(card).borderTopColor)).size)
    assert.ok(colours >= 10, `party colours on the cards: ${colours}`)
    await page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).waitFor()
    assert.equal(await page.locator('#draft-table [data-status]').first().innerText(), 'Concept')
    // the chair can start a new draft with the assignment fields
    await page.getByText('Nieuw adviesconcept').click()
    await page.getByLabel('Titel van het adviesconcept').waitFor()
    await page.getByLabel('Opdrachtformulering').waitFor()
    // role agreements, action lines and disputes have their places
    for (const title of ['Rolafspraken', 'Actielijnen en mijlpalen', 'Verschillen van inzicht']) await page.getByRole('heading', { level: 2, name: title }).waitFor()
    await checkAccessibility(page, 'group')
    await page.getByText('Nieuw adviesconcept').click()
    await shot(page, 'group', { top: true })
    assertNoConsoleErrors(C, 'group')
  })

  step('comments: a comment by one party, anchored to a passage, is visible to the other', async () => {
    await C.page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).click()
    await C.page.waitForURL(/\/drafts\/\d+$/)
    demoDraftPath = new URL(C.page.url()).pathname
    await waitConnected(C.page)
    await C.page.getByRole('heading', { level: 1, name: DEMO_DRAFT }).waitFor()
    await C.page.locator('.flow-current[data-status="concept"]').waitFor()

    await D.page.goto(demoDraftPath)
    await D.page.waitForURL('**/sign-in?next=*')
    await fillSignIn(D.page, zin)
    await D.page.waitForURL(`**${demoDraftPath}`)
    await waitConnected(D.page)
    // a member does not get the status buttons
    assert.equal(await D.page.locator('.flow-actions button').count(), 0)
    assert.ok((await C.page.locator('.flow-actions button').count()) >= 1)

    // Anna (VWS) selects a passage and comments on it, mentioning ZIN
    const passage = 'Overheid en veldpartijen komen tot een duidelijke startovereenkomst'
    await C.page.locator('#draft-editor p', { hasText: passage }).click()
    await C.page.keyboard.press('Home')
    await C.page.keyboard.press('Shift+End')
    await C.page.getByLabel('Nieuwe opmerking').click()
    await C.page.getByText('Bij de geselecteerde tekst:').waitFor()
    const remark = 'Kan ZIN aangeven per wanneer dit haalbaar is?'
    await C.page.getByLabel('Nieuwe opmerking').fill(remark)
    await C.page.getByLabel('Partij noemen').selectOption('ZIN')
    await C.page.getByRole('button', { name: 'Plaatsen' }).click()
    const threadC = C.page.locator('.thread', { hasText: remark })
    await threadC.waitFor()
    await threadC.locator('.thread-quote', { hasText: passage }).waitFor()
    await C.page.locator('#draft-editor .comment-anchor', { hasText: 'startovereenkomst' }).waitFor()

    // Joost (ZIN) sees it live, highlighted in the text, and replies
    const threadD = D.page.locator('.thread', { hasText: remark })
    await threadD.waitFor({ timeout: 30_000 })
    await threadD.getByText('Genoemd: ZIN').waitFor()
    await threadD.locator('.party-chip[data-party="VWS"]').first().waitFor()
    await D.page.locator('#draft-editor .comment-anchor', { hasText: 'startovereenkomst' }).waitFor()
    const reply = 'ZIN verwacht dit in Q3 2025 te kunnen leveren.'
    await threadD.getByLabel('Reactie').fill(reply)
    await threadD.getByRole('button', { name: 'Reageren' }).click()
    await threadD.getByText(reply).waitFor()
    await threadC.getByText(reply).waitFor({ timeout: 30_000 })
    await threadC.locator('.party-chip[data-party="ZIN"]').waitFor()
    // the author resolves the thread (it leaves the list and its highlight goes), then reopens it
    await threadC.getByRole('button', { name: 'Afhandelen' }).click()
    await threadC.waitFor({ state: 'detached' })
    await C.page.locator('#draft-editor .comment-anchor').waitFor({ state: 'detached' })
    await C.page.getByLabel('Ook afgehandelde opmerkingen tonen').check()
    await threadC.getByText('Afgehandeld op').waitFor()
    await threadC.getByRole('button', { name: 'Heropenen' }).click()
    await threadC.getByRole('button', { name: 'Afhandelen' }).waitFor()
    await C.page.getByLabel('Ook afgehandelde opmerkingen tonen').uncheck()
    await C.page.locator('#draft-editor .comment-anchor', { hasText: 'startovereenkomst' }).waitFor()
    await checkAccessibility(C.page, 'draft with comments')
    await checkAccessibility(D.page, 'draft with comments (second party)')
    await shot(C.page, 'draft', { top: true })
    await shot(D.page, 'draft-comments-second-party', { top: true })
    assertNoConsoleErrors(C, 'comments C')
    assertNoConsoleErrors(D, 'comments D')
  })

  step('versions: named versions, HTML/PDF/DOCX/Markdown, and a comparison in both parties\' colours', async () => {
    const createVersion = async (page, name) => {
      await page.getByLabel('Naam van de versie').fill(name)
      await page.getByRole('button', { name: 'Versie vastleggen' }).click()
      await page.locator('.version-list li', { hasText: name }).waitFor()
    }
    await createVersion(C.page, 'Voor de bewerking')

    // both parties edit: VWS adds to one paragraph, ZIN to another
    await C.page.locator('#draft-editor p', { hasText: 'Overheid en veldpartijen ontwikkelen vanaf Q3 2025' }).click()
    await C.page.keyboard.press('End')
    await C.page.keyboard.type(' VWS vult dit aan.')
    await D.page.locator('#draft-editor p', { hasText: 'impactvol onderzoek structureel' }).click()
    await D.page.keyboard.press('End')
    await D.page.keyboard.type(' ZIN agendeert jaarlijks.')
    await C.page.locator('#draft-editor p', { hasText: 'ZIN agendeert jaarlijks.' }).waitFor()
    await D.page.locator('#draft-editor p', { hasText: 'VWS vult dit aan.' }).waitFor()
    await createVersion(C.page, 'Na de bewerking')

    // the version opens as HTML; DOCX and Markdown download links are there
    const item = C.page.locator('.version-list li', { hasText: 'Na de bewerking' })
    const html = await C.context.request.get(await item.getByRole('link', { name: /openen/i }).getAttribute('href'))
    assert.equal(html.status(), 200)
    assert.match(html.headers()['content-type'], /text\/html/)
    assert.match(await html.text(), /ZIN agendeert jaarlijks/)
    assert.match(await item.getByRole('link', { name: /DOCX/ }).getAttribute('href'), /format=docx/)
    assert.match(await item.getByRole('link', { name: /Markdown/ }).getAttribute('href'), /format=markdown/)
    // and as PDF/A: the download is a typeset PDF that declares PDF/A-2b
    const pdf = await C.context.request.get(await item.getByRole('link', { name: /als PDF/ }).getAttribute('href'))
    assert.equal(pdf.status(), 200)
    assert.equal(pdf.headers()['content-type'], 'application/pdf')
    const pdfBytes = (await pdf.body()).toString('latin1')
    assert.ok(pdfBytes.startsWith('%PDF-'))
    assert.match(pdfBytes, /<pdfaid:part>2<\/pdfaid:part>/)

    const optionValue = (page, select, name) => page.locator(`${select} option`, { hasText: name }).getAttribute('value')
    await C.page.locator('#compare-from').selectOption(await optionValue(C.page, '#compare-from', 'Voor de bewerking'))
    await C.page.locator('#compare-to').selectOption(await optionValue(C.page, '#compare-to', 'Na de bewerking'))
    await C.page.getByRole('button', { name: 'Vergelijken' }).click()
    await C.page.waitForURL(/\/drafts\/\d+\/compare\?/)
    await C.page.getByRole('heading', { level: 1, name: `Vergelijking: ${DEMO_DRAFT}` }).waitFor()
    const vwsInsert = C.page.locator('ins[data-party="VWS"]', { hasText: 'VWS vult dit aan.' })
    const zinInsert = C.page.locator('ins[data-party="ZIN"]', { hasText: 'ZIN agendeert jaarlijks.' })
    await vwsInsert.waitFor()
    await zinInsert.waitFor()
    const [vwsColour, zinColour] = await Promise.all([vwsInsert, zinInsert].map((el) => el.evaluate((node) => getComputedStyle(node).backgroundColor)))
    assert.notEqual(vwsColour, zinColour, 'the two parties are marked in different colours')
    await C.page.locator('#compare-legend li[data-party="VWS"]', { hasText: chair.name }).waitFor()
    await C.page.locator('#compare-legend li[data-party="ZIN"]', { hasText: zin.name }).waitFor()
    await checkAccessibility(C.page, 'comparison')
    await shot(C.page, 'compare', { top: true })
    await C.page.getByRole('link', { name: 'Terug naar het adviesconcept' }).click()
    await C.page.waitForURL(`**${demoDraftPath}`)
    await waitConnected(C.page)
    assertNoConsoleErrors(C, 'versions C')
    assertNoConsoleErrors(D, 'versions D')
  })

  step('the chair opens the consultation: the draft turns read-only live in both browsers', async () => {
    await C.page.getByRole('button', { name: 'Consultatie openen' }).click()
    const dialog = C.page.getByRole('dialog')
    await dialog.getByText('alleen-lezen').waitFor()
    await checkAccessibility(C.page, 'status change dialog')
    await shot(C.page, 'draft-status-dialog')
    await dialog.getByLabel('Toelichting (niet verplicht)').fill('Ronde langs de achterban tot 1 juni.')
    await dialog.locator('#flow-confirm').click()
    for (const person of [C, D]) {
      await person.page.locator('#connection-status[data-state="read-only"]').waitFor({ timeout: 15_000 })
      await person.page.locator('#draft-editor[contenteditable="false"]').waitFor()
      await person.page.locator('.flow-current[data-status="consultatie"]').waitFor({ timeout: 15_000 })
      await person.page.locator('.title-status [data-status="consultatie"]').waitFor()
    }
    // the frozen version is listed, and typing changes nothing
    await C.page.locator('.version-list li [data-status="consultatie"]').waitFor()
    const before = await draftText(D.page)
    await D.page.locator('#draft-editor').click()
    await D.page.keyboard.type('x')
    assert.equal(await draftText(D.page), before)
    // going back to concept and withdrawing are offered, moving on needs the consultation first
    await C.page.getByRole('button', { name: 'Terug naar concept' }).waitFor()
    await C.page.getByRole('button', { name: 'Vaststellen' }).waitFor()
    await checkAccessibility(C.page, 'draft in consultation')
    await checkAccessibility(D.page, 'draft in consultation (second party)')
    await shot(C.page, 'draft-consultatie', { top: true })
    await shot(D.page, 'draft-read-only-second-party', { top: true })

    // Joost's home lists the consultation and the mention of his party
    await D.page.getByRole('link', { name: 'Overzicht', exact: true }).click()
    await D.page.locator('#my-tasks [data-task="consultation"]', { hasText: DEMO_DRAFT }).waitFor()
    await D.page.locator('#my-tasks [data-task="mention"]', { hasText: 'Kan ZIN aangeven' }).waitFor()
    await checkAccessibility(D.page, 'home with tasks')
    await shot(D.page, 'home-tasks', { top: true })
    assertNoConsoleErrors(C, 'status flow C')
    assertNoConsoleErrors(D, 'status flow D')
  })

  step('role agreements: a party\'s mandate holder signs off in the matrix', async () => {
    // the chair records the agreement through the API (the screens for drafting agreements come
    // later)
    const cookies = await C.context.cookies()
    const csrf = cookies.find((cookie) => cookie.name === 'polder_csrf')?.value ?? ''
    const created = await C.context.request.post(`/api${demoGroupPath.replace('/groups/', '/bodies/')}/role-agreements`, {
      headers: { 'x-csrf-token': csrf },
      data: {
        title: 'Signalering van knelpunten in het pakket',
        description: 'Wie signaleert knelpunten, wie agendeert ze?',
        parties: [
          { party: 'ZIN', role: 'trekker' },
          { party: 'VWS', role: 'medeverantwoordelijk' },
          { party: 'FMS', role: 'geconsulteerd' },
          { party: 'IGJ', role: 'geïnformeerd' },
        ],
      },
    })
    assert.equal(created.status(), 201, await created.text())

    const { page } = D
    // the request reaches ZIN's inbox (the scheduler sends it; it arrives live when it comes later)
    await page.getByRole('link', { name: /^Meldingen/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Meldingen' }).waitFor()
    const request = page.locator('.inbox-item[data-kind="sign_off_request"]', { hasText: 'Signalering van knelpunten in het pakket' })
    await request.waitFor({ timeout: 90_000 })
    assert.match(await page.locator('#inbox-count').innerText(), /^\d+$/)
    await checkAccessibility(page, 'inbox')
    await shot(page, 'inbox', { top: true })
    await request.getByRole('button', { name: /als gelezen markeren/ }).click()
    await request.getByRole('button', { name: /als ongelezen markeren/ }).waitFor()

    await page.goto('/')
    await page.locator('#my-tasks [data-task="sign-off"]', { hasText: 'Signalering van knelpunten' }).waitFor()
    await page.locator('#my-tasks [data-task="sign-off"] a').click()
    await page.waitForURL(`**${demoGroupPath}**`)
    const agreement = page.locator('article.agreement', { hasText: 'Signalering van knelpunten in het pakket' })
    await agreement.locator('tr[data-party="ZIN"] [data-state="pending"]').waitFor()
    await agreement.getByText('Reageer namens je partij').click()
    await agreement.getByLabel('Akkoord met voorbehoud').check()
    await agreement.getByLabel('Voorbehoud of toelichting').fill('Mits de capaciteit in 2026 is geregeld.')
    await agreement.getByRole('button', { name: 'Reactie vastleggen' }).click()
    const zinRow = page.locator('article.agreement', { hasText: 'Signalering van knelpunten in het pakket' }).locator('tr[data-party="ZIN"]')
    await zinRow.locator('[data-state="akkoord_met_voorbehoud"]').waitFor()
    await zinRow.getByText('Mits de capaciteit in 2026 is geregeld.').waitFor()
    await zinRow.getByText(zin.name).waitFor()
    await page.locator('#role-agreements').scrollIntoViewIfNeeded()
    await checkAccessibility(page, 'group with role agreement')
    await page.locator('#role-agreements').screenshot({ path: join(screenshots, 'group-role-agreements.png') })
    console.log('  screenshot artifacts/screenshots/group-role-agreements.png')
    assertNoConsoleErrors(D, 'role agreements')
  })

  step('import: a messy table as a dry run (flagged rows by line), then committed; the dashboard shows it', async () => {
    const { page } = C
    await page.goto(demoGroupPath)
    await page.locator('#import-link').click()
    await page.getByRole('heading', { level: 1, name: 'Mijlpalen importeren' }).waitFor()
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(join(repoDir, 'server', 'tests-data', 'import', 'messy.csv'))
    await page.getByRole('button', { name: 'Proefimport' }).click()
    const summary = page.locator('#import-summary')
    await summary.waitFor()
    assert.match(await summary.innerText(), /rows: \d+, milestones: \d+, flagged: [1-9]\d*, errors: [1-9]\d*/)
    // every flagged row and error with its line number and reason
    const flaggedRows = page.locator('#import-flagged tbody tr[data-line]')
    assert.ok((await flaggedRows.count()) > 0, 'the dry run lists flagged rows')
    await page.locator('#import-flagged tr[data-line="4"]', { hasText: 'regel 4' }).filter({ hasText: 'NZa' }).waitFor()
    await page.locator('#import-errors tr[data-line="17"]', { hasText: '#REF!' }).waitFor()
    await page.locator('#import-milestones tr', { hasText: 'Werkagenda cyclus gepast gebruik' }).waitFor()
    await page.locator('#import-action-lines', { hasText: 'Actielijn 2: Acute zorg' }).waitFor()
    // a dry run stores nothing
    const bodyApi = `/api${demoGroupPath.replace('/groups/', '/bodies/')}`
    const before = await (await C.context.request.get(`${bodyApi}/milestones?limit=200`)).json()
    assert.ok(!before.items.some((m) => m.title === 'Werkagenda cyclus gepast gebruik'), 'nothing stored by the dry run')
    await checkAccessibility(page, 'import dry run')
    await page.locator('#import-step-report').scrollIntoViewIfNeeded()
    await shot(page, 'import-dry-run')

    await page.getByRole('button', { name: 'Importeren', exact: true }).click()
    const done = page.locator('#import-done')
    await done.waitFor()
    assert.match(await done.innerText(), /Geïmporteerd: [1-9]\d* nieuwe mijlpalen/)
    await checkAccessibility(page, 'import done')
    await shot(page, 'import-done', { top: true })
    const after = await (await C.context.request.get(`${bodyApi}/milestones?limit=200`)).json()
    assert.ok(after.items.some((m) => m.title === 'Werkagenda cyclus gepast gebruik'), 'the milestones are stored')

    // the programme dashboard: timeline per action line, due soon, late, party filter
    await page.locator('#import-to-programme').click()
    await page.getByRole('heading', { level: 1, name: /^Programma: / }).waitFor()
    await page.locator('#timeline tr', { hasText: '1.1 Dure geneesmiddelen' }).filter({ hasText: 'Uitkomstinformatie ggz beschikbaar' }).waitFor()
    await page.locator('#late-section').waitFor()
    await page.locator('#due-soon-section').waitFor()
    assert.ok((await page.locator('#timeline .state-chip').count()) > 0, 'statuses shown as text chips')
    const allCount = await page.locator('#timeline [data-milestone]').count()
    await page.getByLabel('Partij', { exact: true }).selectOption('ZIN')
    await page.locator('#filter-state', { hasText: 'van ZIN' }).waitFor()
    await page.locator('#timeline', { hasText: 'Uitkomstinformatie ggz beschikbaar' }).waitFor()
    assert.ok((await page.locator('#timeline [data-milestone]').count()) < allCount, 'the party filter narrows the timeline')
    await checkAccessibility(page, 'programme dashboard')
    await shot(page, 'dashboard', { top: true })
    assertNoConsoleErrors(C, 'import and dashboard')
  })

  step('dispute: positions, a comment, and the chair escalates (the level moves up on screen)', async () => {
    const { page } = C
    await page.goto(demoGroupPath)
    await page.locator('#dispute-list a', { hasText: 'Wie duidt de bewijslast bij richtlijnen?' }).click()
    await page.getByRole('heading', { level: 1, name: 'Wie duidt de bewijslast bij richtlijnen?' }).waitFor()
    await page.locator('#ladder li[aria-current="step"][data-level="0"]').waitFor()
    await page.locator('#dispute-deadline', { hasText: 'reageren vóór' }).waitFor()
    await page.locator('#positions li[data-party="ZIN"]', { hasText: 'Het Zorginstituut duidt' }).waitFor()
    await page.locator('#positions li[data-party="FMS"] [data-state="no-position"]').waitFor()
    await page.getByLabel('Reactie', { exact: true }).fill('Graag beide standpunten vóór de volgende vergadering.')
    await page.getByRole('button', { name: 'Reactie plaatsen' }).click()
    await page.locator('#dispute-comments', { hasText: 'Graag beide standpunten' }).waitFor()
    const md = await C.context.request.get(`/api${new URL(page.url()).pathname}/dossier.md`)
    assert.equal(md.status(), 200)
    assert.equal(await page.locator('#dossier-downloads a').count(), 3)
    await checkAccessibility(page, 'dispute')
    await shot(page, 'dispute', { top: true })

    await page.getByRole('button', { name: 'Escaleren naar het volgende niveau' }).click()
    await page.locator('#ladder li[aria-current="step"][data-level="1"]').waitFor()
    assert.match(await page.locator('#dispute-level').innerText(), /^Niveau 1: /)
    await page.locator('#dispute-status [data-state="geescaleerd"]').waitFor()
    await checkAccessibility(page, 'dispute escalated')
    assertNoConsoleErrors(C, 'dispute')
  })

  step('administration: parties, people, bodies, memberships, audit log', async () => {
    E = await newPersonPage(browser, server.base)
    const { page } = E
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto('/sign-in')
    await fillSignIn(E.page, admin)
    await page.waitForURL((url) => url.pathname === '/')
    await page.getByRole('link', { name: 'Beheer', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Beheer' }).waitFor()
    await page.locator('#parties-table .party-chip[data-party="ZIN"]').waitFor()
    await page.locator('#people-table', { hasText: 'joost@zin.demo' }).waitFor()
    await page.locator('#bodies-table', { hasText: DEMO_GROUP }).waitFor()
    await page.locator('#audit-table tbody tr').first().waitFor()

    // a new party, a new person of that party, who joins the working group as a member
    const partyForm = page.locator('form', { has: page.getByRole('heading', { name: 'Partij toevoegen' }) })
    await partyForm.getByLabel('Code').fill('NZA')
    await partyForm.getByLabel('Naam', { exact: true }).fill('Nederlandse Zorgautoriteit')
    await partyForm.getByRole('button', { name: 'Partij toevoegen' }).click()
    await page.locator('#parties-table .party-chip[data-party="NZA"]').waitFor()
    const personForm = page.locator('form', { has: page.getByRole('heading', { name: 'Persoon toevoegen' }) })
    await personForm.getByLabel('Naam', { exact: true }).fill('Noor de Wit')
    await personForm.getByLabel('E-mailadres').fill('noor@nza.demo')
    await personForm.getByLabel('Partij').selectOption('NZA')
    await personForm.getByLabel('Eerste wachtwoord').fill('een-lang-wachtwoord-2026')
    await personForm.getByRole('button', { name: 'Persoon toevoegen' }).click()
    await page.locator('#people-table', { hasText: 'noor@nza.demo' }).waitFor()
    await page.locator('#membership-body').selectOption({ label: DEMO_GROUP })
    await page.locator('#members-table', { hasText: zin.name }).waitFor()
    await page.locator('#membership-person').selectOption({ label: 'Noor de Wit (NZA)' })
    await page.locator('#membership-role').selectOption('member')
    await page.getByRole('button', { name: 'Lid toevoegen of wijzigen' }).click()
    await page.locator('#members-table tr', { hasText: 'Noor de Wit' }).waitFor()
    await checkAccessibility(page, 'administration')
    await shot(page, 'admin', { top: true })
    assertNoConsoleErrors(E, 'administration')
  })

  step('settings: password rules; an API token is shown once and can be revoked', async () => {
    const { page } = E
    await page.getByRole('link', { name: 'Instellingen', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Instellingen' }).waitFor()
    await page.getByLabel('Huidig wachtwoord').fill(DEMO_PASSWORD)
    await page.getByLabel('Nieuw wachtwoord').fill('te-kort')
    await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click()
    await page.getByRole('alert').getByText('minstens 12 tekens').waitFor()

    await page.getByLabel('Naam van de sleutel').fill('Koppeling planning')
    await page.getByLabel('Rechten').selectOption('write')
    await page.getByRole('button', { name: 'Sleutel aanmaken' }).click()
    await page.getByText('hij wordt maar één keer getoond').waitFor()
    assert.match(await page.locator('#token-value').inputValue(), /^\S{20,}$/)
    await page.locator('#token-table tr', { hasText: 'Koppeling planning' }).waitFor()
    await checkAccessibility(page, 'settings')
    await shot(page, 'settings', { top: true })
    await page.getByRole('button', { name: 'Sleutel Koppeling planning intrekken' }).click()
    await page.getByText('Je hebt geen API-sleutels.').waitFor()

    // e-mail settings and a personal calendar feed (iCalendar), when the server has them
    const notifications = page.locator('#settings-notifications')
    if (await notifications.isVisible()) {
      await notifications.getByLabel('E-mail', { exact: true }).selectOption('daily_digest')
      await notifications.getByRole('button', { name: 'Opslaan' }).click()
      await notifications.getByText('Je instellingen voor meldingen zijn opgeslagen.').waitFor()
    }
    const feeds = page.locator('#settings-feeds')
    if (await feeds.isVisible()) {
      await feeds.getByRole('button', { name: 'Agenda-koppeling maken' }).click()
      const url = await page.locator('#feed-url').inputValue()
      assert.match(url, /\/api\/calendar\/[^/]+\.ics$/)
      const calendar = await E.context.request.get(url)
      assert.equal(calendar.status(), 200)
      assert.match(await calendar.text(), /BEGIN:VCALENDAR/)
      await feeds.locator('#feed-list li').first().waitFor()
      await checkAccessibility(page, 'settings with calendar feed')
    }
    assertNoConsoleErrors(E, 'settings')
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
