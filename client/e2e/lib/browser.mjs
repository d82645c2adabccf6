// Debian's Chromium driven by playwright-core; one context per person; console errors recorded.
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install chromium (scripts/e2e does this)`)
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  })
}

/**
 * A signed-out page in a fresh context. `page.consoleErrors` collects console errors and
 * uncaught exceptions; `allowConsoleError(predicate)` marks one kind as expected.
 */
export async function newPersonPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, locale: 'nl-NL' })
  const page = await context.newPage()
  const errors = []
  const allowed = []
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const entry = { text: message.text(), url: message.location()?.url ?? '' }
    if (allowed.some((predicate) => predicate(entry))) return
    errors.push(entry)
  })
  page.on('pageerror', (error) => errors.push({ text: `uncaught: ${error.stack ?? error.message}`, url: '' }))
  return {
    context,
    page,
    consoleErrors: errors,
    allowConsoleError(predicate) {
      allowed.push(predicate)
      return () => allowed.splice(allowed.indexOf(predicate), 1)
    },
  }
}

/** Chrome logs every 4xx/5xx response of fetch as "Failed to load resource"; some are expected. */
export const httpStatusLogged = (status, pathSuffix) => (entry) =>
  entry.text.includes(`status of ${status}`) && new URL(entry.url || 'http://x/').pathname.endsWith(pathSuffix)

/** Chrome logs a refused websocket connection while the server is down. */
export const websocketRefused = (docId) => (entry) =>
  /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\//.test(entry.text) &&
  entry.text.includes(`/ws/${docId}'`) &&
  /failed/.test(entry.text)

/** The live inbox socket is refused too while the server is down. */
export const inboxRefused = (entry) =>
  /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\/inbox'/.test(entry.text) && /failed/.test(entry.text)
