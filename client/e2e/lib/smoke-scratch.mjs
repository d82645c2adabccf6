import { chromium } from 'playwright-core'
const base = process.env.BASE ?? 'http://127.0.0.1:18081'
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } })
const page = await ctx.newPage()
page.on('console', (m) => m.type() === 'error' && console.log('CONSOLE', m.text(), m.location()?.url))
page.on('pageerror', (e) => console.log('PAGEERROR', e.stack))
await page.goto('/sign-in')
await page.getByLabel('E-mailadres').fill(process.env.WHO ?? 'anna@vws.demo')
await page.getByLabel('Wachtwoord').fill('polder-demo-2026')
await page.getByRole('button', { name: 'Inloggen' }).click()
await page.waitForURL((u) => u.pathname === '/')
await page.waitForTimeout(1000)
await page.screenshot({ path: '/tmp/shots/home.png' })
for (const path of (process.env.PATHS ?? '/groups/4,/drafts/1,/settings,/admin').split(',')) {
  await page.goto(path)
  await page.waitForTimeout(1500)
  await page.screenshot({ path: `/tmp/shots/${path.replace(/\W+/g, '_')}.png`, fullPage: true })
  console.log(path, (await page.locator('h1').first().innerText()))
}
await browser.close()
