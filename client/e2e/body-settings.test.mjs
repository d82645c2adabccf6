// End-to-end: the settings of the demo working group, /groups/{id}/settings. A member sees no
// link and is refused; the chair sets a ladder level (keyboard: add, move up, save, with an
// error shown at its field first), is refused a webhook on a loopback address by the default
// address policy (shown at the URL field), then — on a server started with internal
// receivers allowed, as the webhook integration tests do — adds one to a receiver on
// 127.0.0.1 and sees it delivered in the delivery log; finally a calendar feed for the
// chair's party is made, fetched and revoked; an administrator downloads the group's archive
// (the chair does not see it). Screenshots → artifacts/screenshots/body-settings-*.png.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before, describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, launchBrowser, newPersonPage } from './lib/browser.mjs'
import { freePort, loadDemo, makeDataDir, removeDataDir, repoDir, startServer } from './lib/server.mjs'
import { assertNoConsoleErrors, shot, signIn, stepper } from './lib/suite.mjs'

const screenshots = join(repoDir, 'artifacts', 'screenshots')
const DEMO_PASSWORD = 'polder-demo-2026'
const chair = { email: 'anna@vws.demo', password: DEMO_PASSWORD }
const member = { email: 'joost@zin.demo', password: DEMO_PASSWORD }
const DEMO_GROUP = 'Werkgroep Beter pakketbeheer'

let dataDir, port, server, browser, receiver, A, M
let groupPath
const received = []
let onReceived = () => {}

async function openGroup(page) {
  await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
  await page.waitForURL(/\/groups\/\d+$/)
  await page.getByRole('heading', { level: 1, name: DEMO_GROUP }).waitFor()
  return new URL(page.url()).pathname
}

/** A JSON API call from the page, with the session's CSRF token (as the client sends it). */
function api(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('polder_csrf='))?.split('=')[1]
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: response.status, body: await response.json().catch(() => null) }
    },
    [method, path, body],
  )
}

before(async () => {
  await mkdir(screenshots, { recursive: true })
  dataDir = await makeDataDir()
  await loadDemo(dataDir)
  // the webhook receiver: answers every request with 204 and records it
  receiver = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      received.push({ headers: request.headers, body })
      response.writeHead(204).end()
      onReceived()
    })
  })
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  port = await freePort()
  // first with the default address policy: internal receivers are refused
  delete process.env.POLDER_WEBHOOK_ALLOW_INTERNAL
  server = await startServer({ dataDir, port })
  console.log(`  server on ${server.base}, data in ${dataDir}`)
  browser = await launchBrowser()
  A = await newPersonPage(browser, server.base)
  M = await newPersonPage(browser, server.base)
  for (const person of [A, M]) person.allowConsoleError(httpStatusLogged(401, '/api/me'))
})

after(async () => {
  await browser?.close()
  const stopped = await server?.stop()
  if (stopped && stopped.code !== 0 && stopped.signal !== 'SIGTERM') console.log(server.log.join(''))
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve()))
  if (dataDir) await removeDataDir(dataDir)
})

// The steps build on each other: after the first failure the rest are skipped.
const step = stepper()

describe('Body settings in the browser', { concurrency: false }, () => {
  step('a member sees no settings link and is refused the settings screen', async () => {
    const { page } = M
    await signIn(M, member)
    groupPath = await openGroup(page)
    await page.locator('#members-by-party').waitFor()
    assert.equal(await page.locator('#group-settings-link').count(), 0, 'no settings link for a member')
    // the server refuses the member too
    M.allowConsoleError(httpStatusLogged(403, '/ladder/forums'))
    const forums = await api(page, 'GET', `/api/bodies${groupPath.slice('/groups'.length)}/ladder/forums`)
    assert.equal(forums.status, 403)
    await page.goto(`${groupPath}/settings`)
    const refusal = page.locator('#settings-refused')
    await refusal.waitFor()
    assert.match(await refusal.innerText(), /Alleen de voorzitter, het secretariaat en beheerders/)
    assert.equal(await refusal.getAttribute('role'), 'alert')
    assert.equal(await page.locator('#ladder-form').count(), 0)
    await checkAccessibility(page, 'body settings refused (member)')
    await shot(page, 'body-settings-refused', { top: true, full: true })
    assertNoConsoleErrors(M, 'member')
  })

  step('the chair opens the settings from the group and sees the ladder', async () => {
    const { page } = A
    await signIn(A, chair)
    assert.equal(await openGroup(page), groupPath)
    const link = page.locator('#group-settings-link')
    assert.equal(await link.innerText(), 'Instellingen van de groep')
    await link.click()
    await page.waitForURL(`**${groupPath}/settings`)
    await page.getByRole('heading', { level: 1, name: `Instellingen: ${DEMO_GROUP}` }).waitFor()
    await page.locator('#ladder-steps .ladder-step').first().waitFor()
    // the default ladder: the group, the theme table, BO-IZA, the minister
    assert.equal(await page.locator('#ladder-steps .ladder-step').count(), 4)
    assert.equal(await page.locator('#ladder-default').isVisible(), true)
    // level 0 may name the group itself; higher levels only bodies above it
    const level0 = await page.locator('.ladder-step[data-level="0"] select option').allInnerTexts()
    const level1 = await page.locator('.ladder-step[data-level="1"] select option').allInnerTexts()
    assert.ok(level0.some((text) => text.includes('(deze werkgroep)')), level0.join(' | '))
    assert.ok(!level1.some((text) => text.includes('(deze werkgroep)')), level1.join(' | '))
    assert.equal(await page.locator('#settings-archive').count(), 0, 'the archive is for administrators only')
    await checkAccessibility(page, 'body settings (chair)')
    await shot(page, 'body-settings-ladder', { top: true, full: true })
    assertNoConsoleErrors(A, 'chair opens settings')
  })

  step('the chair adds a ladder level with the keyboard; errors are shown at the field', async () => {
    const { page } = A
    await page.locator('#ladder-add').focus()
    await page.keyboard.press('Enter')
    const added = page.locator('.ladder-step[data-level="4"]')
    await added.waitFor()
    // focus went to the new level's name; saving it empty puts the error at that field
    const name = added.getByLabel('Naam', { exact: true })
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus on the new name field')
    await page.locator('#ladder-save').click()
    await page.locator('#ladder-form .alert-error').getByText('Controleer de gemarkeerde velden').waitFor()
    assert.equal(await name.getAttribute('aria-invalid'), 'true')
    const describedBy = (await name.getAttribute('aria-describedby')) ?? ''
    const errorId = describedBy.split(' ')[0]
    assert.match(await page.locator(`#${errorId}`).innerText(), /Geef dit niveau een naam/)
    assert.equal(await name.evaluate((el) => el === document.activeElement), true, 'focus on the invalid field')
    await shot(page, 'body-settings-ladder-error', { top: true, full: true })

    await name.fill('Bestuurdersoverleg zorg')
    const days = added.getByLabel('Reactietermijn (werkdagen)', { exact: true })
    await days.fill('0')
    await page.locator('#ladder-save').click()
    await added.getByText('Vul een heel aantal werkdagen in, van 1 tot 250').waitFor()
    assert.equal(await days.getAttribute('aria-invalid'), 'true')
    await days.fill('15')
    // move it up one place with the keyboard: it becomes level 3, focus stays on its button
    await added.getByRole('button', { name: /^Omhoog/ }).focus()
    await page.keyboard.press('Enter')
    const moved = page.locator('.ladder-step[data-level="3"]')
    assert.equal(await moved.getByLabel('Naam', { exact: true }).inputValue(), 'Bestuurdersoverleg zorg')
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'up')
    assert.equal(await page.locator('.ladder-step[data-level="4"]').getByLabel('Naam', { exact: true }).inputValue(), 'Minister van VWS')
    await page.locator('#announcer').getByText('staat nu op niveau 3').waitFor({ state: 'attached' })
    const forum = moved.getByLabel('Instantie (forum)', { exact: true })
    const boIza = await forum.locator('option', { hasText: 'BO-IZA' }).getAttribute('value')
    assert.ok(boIza, 'BO-IZA is a forum above the group')
    await forum.selectOption(boIza)
    await page.locator('#ladder-margin').fill('5')
    await page.locator('#ladder-save').focus()
    await page.keyboard.press('Enter')
    await page.locator('#ladder-form [role="status"]').getByText('De escalatieladder is opgeslagen.').waitFor()
    assert.equal(await page.locator('#ladder-default').isVisible(), false)

    const stored = await api(page, 'GET', `/api/bodies${groupPath.slice('/groups'.length)}/ladder`)
    assert.equal(stored.status, 200)
    assert.equal(stored.body.levels.length, 5)
    assert.deepEqual({ level: stored.body.levels[3].level, name: stored.body.levels[3].name, days: stored.body.levels[3].response_days }, { level: 3, name: 'Bestuurdersoverleg zorg', days: 15 })
    assert.equal(stored.body.levels[3].forum_body_id, Number(boIza))
    assert.equal(stored.body.overdue_margin_days, 5)
    // it is still there after a reload
    await page.reload()
    await page.locator('.ladder-step[data-level="3"]').waitFor()
    assert.equal(await page.locator('.ladder-step[data-level="3"]').getByLabel('Naam', { exact: true }).inputValue(), 'Bestuurdersoverleg zorg')
    assertNoConsoleErrors(A, 'ladder')
  })

  step('a webhook on a loopback address is refused by the address policy, at the URL field', async () => {
    const { page } = A
    const stop = A.allowConsoleError(httpStatusLogged(422, '/webhooks'))
    const url = page.locator('#webhook-url')
    await url.fill(`http://127.0.0.1:${receiver.address().port}/hook`)
    await page.locator('#webhook-add').click()
    const error = page.locator('#webhook-url-error')
    await error.waitFor()
    assert.match(await error.innerText(), /wijst naar een intern netwerk/)
    assert.equal(await url.getAttribute('aria-invalid'), 'true')
    assert.ok(((await url.getAttribute('aria-describedby')) ?? '').split(' ').includes('webhook-url-error'))
    assert.equal(await page.locator('#webhook-reveal').isVisible(), false)
    await checkAccessibility(page, 'webhook refused')
    await page.locator('#settings-webhooks').screenshot({ path: join(screenshots, 'body-settings-webhook-refused.png') })
    console.log('  screenshot artifacts/screenshots/body-settings-webhook-refused.png')
    stop()
    assertNoConsoleErrors(A, 'webhook refused')
  })

  step('with internal receivers allowed, the chair adds a webhook and sees its delivery log', async () => {
    // the same data on a server that allows receivers on internal addresses and runs its
    // scheduler every second
    await server.stop()
    process.env.POLDER_WEBHOOK_ALLOW_INTERNAL = 'true'
    process.env.POLDER_SCHEDULER_INTERVAL_SECS = '1'
    try {
      server = await startServer({ dataDir, port })
    } finally {
      delete process.env.POLDER_WEBHOOK_ALLOW_INTERNAL
      delete process.env.POLDER_SCHEDULER_INTERVAL_SECS
    }
    const { page } = A
    await page.reload()
    await page.locator('#webhook-url').waitFor()
    const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`
    await page.locator('#webhook-url').fill(hookUrl)
    await page.locator('#webhook-add').click()
    await page.locator('#webhook-reveal h3').getByText(`Webhook toegevoegd: ${hookUrl}`).waitFor()
    const secret = await page.locator('#webhook-secret').inputValue()
    assert.ok(secret.length >= 32, 'the signing secret is shown once')
    assert.equal(await page.locator('#webhook-url').getAttribute('aria-invalid'), null)
    const item = page.locator('#webhook-list .webhook').first()
    await item.getByText('actief').waitFor()

    // a notification of the group: the chair escalates the demo dispute to level 1
    const arrived = new Promise((resolve) => (onReceived = resolve))
    const disputes = await api(page, 'GET', `/api/bodies${groupPath.slice('/groups'.length)}/disputes`)
    const open = disputes.body.items.find((d) => d.status === 'in_behandeling')
    assert.ok(open, 'the demo has an open dispute')
    const escalated = await api(page, 'POST', `/api/disputes/${open.id}/escalate`, { note: 'Naar de thematafel' })
    assert.equal(escalated.status, 200, JSON.stringify(escalated.body))
    await arrived
    assert.ok(received[0].headers['x-polder-signature'], 'the delivery is signed')

    await item.getByRole('button', { name: /Afleverlog/ }).click()
    assert.equal(await item.getByRole('button', { name: /Afleverlog/ }).getAttribute('aria-expanded'), 'true')
    const log = page.locator(`.delivery-log`)
    await log.waitFor()
    // the worker records the attempt right after the receiver answered: refresh until shown
    for (let round = 0; round < 50; round++) {
      if ((await log.locator('tr[data-status="delivered"]').count()) > 0) break
      await log.getByRole('button', { name: 'Vernieuwen' }).click()
      await page.waitForTimeout(200)
    }
    const row = log.locator('tr[data-status="delivered"]').first()
    await row.waitFor()
    assert.match(await row.innerText(), /afgeleverd/)
    assert.match(await row.innerText(), /Poging 1, .*: afgeleverd/)
    assert.match(await log.locator('[id$="-range"]').innerText(), /Berichten 1 tot en met \d+ van \d+/)
    await checkAccessibility(page, 'webhooks with delivery log')
    await page.locator('#settings-webhooks').screenshot({ path: join(screenshots, 'body-settings-webhooks.png') })
    console.log('  screenshot artifacts/screenshots/body-settings-webhooks.png')
    assertNoConsoleErrors(A, 'webhook log')
  })

  step('the chair makes a calendar feed for VWS, copies its address and revokes it', async () => {
    const { page } = A
    const party = page.locator('#feed-party')
    assert.deepEqual(await party.locator('option').evaluateAll((options) => options.map((o) => o.value)), ['VWS'], 'only the chair’s own party')
    await page.locator('#feed-create').click()
    await page.locator('#feed-reveal h3').getByText('Agenda-koppeling voor VWS gemaakt').waitFor()
    const address = await page.locator('#feed-url').inputValue()
    assert.match(address, /^http:\/\/127\.0\.0\.1:\d+\/api\/calendar\/[^/]+\.ics$/)
    const feed = await fetch(address)
    assert.equal(feed.status, 200)
    assert.match(feed.headers.get('content-type') ?? '', /text\/calendar/)
    assert.match(await feed.text(), /BEGIN:VCALENDAR/)
    const listed = page.locator('#party-feed-list li')
    assert.equal(await listed.count(), 1)
    await checkAccessibility(page, 'party feeds')
    await page.locator('#settings-party-feeds').screenshot({ path: join(screenshots, 'body-settings-feeds.png') })
    console.log('  screenshot artifacts/screenshots/body-settings-feeds.png')

    page.once('dialog', (dialog) => void dialog.accept())
    await listed.getByRole('button', { name: /^Intrekken/ }).click()
    await page.locator('#settings-party-feeds').getByText('Je hebt nog geen agenda-koppelingen').waitFor()
    assert.equal((await fetch(address)).status, 404, 'a revoked feed is gone')
    assertNoConsoleErrors(A, 'feeds')
  })

  step('an administrator downloads the archive of the group', async () => {
    const D = await newPersonPage(browser, server.base)
    D.allowConsoleError(httpStatusLogged(401, '/api/me'))
    const { page } = D
    await signIn(D, { email: 'beheer@polder.demo', password: DEMO_PASSWORD })
    await page.goto(`${groupPath}/settings`)
    const button = page.locator('#archive-download')
    await button.waitFor()
    assert.equal(await button.innerText(), 'Archief downloaden')
    await checkAccessibility(page, 'body settings (administrator)')
    const [download] = await Promise.all([page.waitForEvent('download'), button.focus().then(() => page.keyboard.press('Enter'))])
    assert.match(download.suggestedFilename(), /^archief-\d+\.zip$/)
    const path = await download.path()
    const { readFile } = await import('node:fs/promises')
    const bytes = await readFile(path)
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip file')
    await page.locator('#archive-status').getByText(/Het archief is gedownload/).waitFor()
    assert.equal(await button.isDisabled(), false, 'the button is usable again')
    await page.locator('#settings-archive').screenshot({ path: join(screenshots, 'body-settings-archive.png') })
    assertNoConsoleErrors(D, 'administrator archive')
    await page.context().close()
  })

  step('the screen is complete in English', async () => {
    const { page } = A
    await page.locator('#lang-switch').click()
    await page.getByRole('heading', { level: 1, name: `Settings: ${DEMO_GROUP}` }).waitFor()
    await page.getByRole('heading', { level: 2, name: 'Escalation ladder' }).waitFor()
    await page.getByRole('button', { name: 'Save the ladder' }).waitFor()
    await page.getByRole('heading', { level: 2, name: 'Party calendar feeds' }).waitFor()
    await checkAccessibility(page, 'body settings in English')
    await shot(page, 'body-settings-en', { top: true, full: true })
    await page.locator('#lang-switch').click()
    assertNoConsoleErrors(A, 'english')
  })
})
