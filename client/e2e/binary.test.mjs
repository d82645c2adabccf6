// End-to-end: one binary serves the app. `polder serve` without --static-dir answers the web
// client it was built with at `/` and at deep links, with its assets, caching and security
// headers; the app then signs in and opens the demo working group. Dates show in Dutch time.
// Screenshots → artifacts/screenshots/.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, launchBrowser, newPersonPage } from './lib/browser.mjs'
import { freePort, loadDemo, makeDataDir, removeDataDir, repoDir, startServer } from './lib/server.mjs'
import { stepper } from './lib/suite.mjs'

const screenshots = join(repoDir, 'artifacts', 'screenshots')
const chair = { email: 'anna@vws.demo', password: 'polder-demo-2026' }

const DEMO_GROUP = 'Werkgroep Beter pakketbeheer'

let dataDir, server, browser, person, groupId

async function signIn(page) {
  await page.getByLabel('E-mailadres').fill(chair.email)
  await page.getByLabel('Wachtwoord').fill(chair.password)
  await page.getByRole('button', { name: 'Inloggen' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
}

/** The id of the demo working group, asked of the API with the page's session. */
async function demoGroupId(page) {
  const bodies = await page.evaluate(async () => (await fetch('/api/bodies?limit=200')).json())
  const group = bodies.items.find((body) => body.name === 'Werkgroep Beter pakketbeheer')
  assert.ok(group, `the demo working group: ${JSON.stringify(bodies)}`)
  return group.id
}

before(async () => {
  await mkdir(screenshots, { recursive: true })
  dataDir = await makeDataDir()
  await loadDemo(dataDir)
  server = await startServer({ dataDir, port: await freePort(), builtIn: true })
  console.log(`  server on ${server.base} without --static-dir, data in ${dataDir}`)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  const stopped = await server?.stop()
  if (stopped && stopped.code !== 0 && stopped.signal !== 'SIGTERM') console.log(server.log.join(''))
  if (dataDir) await removeDataDir(dataDir)
})

// The steps build on each other: after the first failure the rest are skipped.
const step = stepper()

describe('one binary serves the app', { concurrency: false }, () => {
  let indexHtml

  step('/ and deep links answer the app, an asset loads, caching and security headers are set', async () => {
    const root = await fetch(`${server.base}/`)
    assert.equal(root.status, 200)
    assert.match(root.headers.get('content-type'), /^text\/html/)
    assert.equal(root.headers.get('cache-control'), 'no-cache')
    assert.match(root.headers.get('content-security-policy'), /frame-ancestors 'none'/)
    assert.equal(root.headers.get('x-content-type-options'), 'nosniff')
    indexHtml = await root.text()
    assert.match(indexHtml, /<div id="app"|<main|<body/)
    for (const path of ['/groups/1', '/sign-in?next=%2Fgroups%2F1', '/drafts/advies-beter-pakketbeheer']) {
      const deep = await fetch(`${server.base}${path}`)
      assert.equal(deep.status, 200, path)
      assert.equal(await deep.text(), indexHtml, `${path} answers index.html`)
    }
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(indexHtml)
    assert.ok(script, `index.html names a script under /assets/: ${indexHtml}`)
    const asset = await fetch(`${server.base}${script[1]}`, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(asset.status, 200)
    assert.match(asset.headers.get('content-type'), /javascript/)
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.ok((await asset.text()).length > 1000, 'the script has content')
    const api = await fetch(`${server.base}/api/no-such-route`)
    assert.equal(api.status, 404)
    assert.match(api.headers.get('content-type'), /application\/json/)
  })

  step('the app from the binary signs in and opens a deep link', async () => {
    person = await newPersonPage(browser, server.base)
    person.allowConsoleError(httpStatusLogged(401, '/api/me'))
    const { page } = person
    await page.goto('/')
    await page.waitForURL('**/sign-in')
    await signIn(page)
    groupId = await demoGroupId(page)
    // a full page load of a deep link: the server answers index.html, the app routes
    await page.goto(`/groups/${groupId}`)
    await page.getByRole('heading', { level: 1, name: DEMO_GROUP }).waitFor()
    await checkAccessibility(page, 'group from the binary')
    await page.screenshot({ path: join(screenshots, 'binary-group.png') })
    console.log('  screenshot artifacts/screenshots/binary-group.png')
    assert.deepEqual(person.consoleErrors, [])
  })

  step('times show in Dutch time whatever zone the browser is in', async () => {
    const context = await browser.newContext({ baseURL: server.base, locale: 'nl-NL', timezoneId: 'America/New_York' })
    const page = await context.newPage()
    await page.goto('/sign-in')
    await signIn(page)
    await page.goto(`/groups/${groupId}`)
    const row = page.locator('#draft-table tbody tr').first()
    await row.waitFor()
    const id = await row.getAttribute('data-draft')
    const shown = (await row.locator('td').nth(2).textContent()).trim()
    const draft = await page.evaluate(async (draftId) => (await fetch(`/api/drafts/${draftId}`)).json(), id)
    const format = (timeZone) =>
      new Intl.DateTimeFormat('nl-NL', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(draft.updated_at))
    assert.notEqual(format('Europe/Amsterdam'), format('America/New_York'))
    assert.equal(shown, format('Europe/Amsterdam'), 'the draft table shows Dutch time')
    await context.close()
  })
})
