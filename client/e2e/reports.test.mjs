// End-to-end: progress reports and the public progress page. The secretariat (Bram, VWS) opens
// the reports screen from the programme dashboard, freezes the working group's report for a
// quarter (with the confirmation), sees it as tables with its hash and downloads the PDF and
// CSV (the download events arrive with content). Then Bram switches the public page on in the
// body settings with one milestone ticked, and a visitor without an account opens it: only
// that milestone is listed, and axe finds no violations. Screenshots → artifacts/screenshots/.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { DEMO_GROUP, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const bram = demoPerson('bram@vws.demo')
let S, V
let bodyId
let markedTitle
demoSuite({
  pages: 2,
  ready: (suite) => {
    ;[S, V] = suite.people
  },
})

const step = stepper()

async function download(page, selector, extension) {
  const [event] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()])
  assert.ok(event.suggestedFilename().endsWith(`.${extension}`), event.suggestedFilename())
  const bytes = await readFile(await event.path())
  assert.ok(bytes.length > 100, `the ${extension} download has content (${bytes.length} bytes)`)
  return bytes
}

describe('progress reports and the public page', { concurrency: false }, () => {
  step('the secretariat freezes a quarterly report and downloads it', async () => {
    const { page } = S
    await signIn(S, bram)
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    bodyId = Number(new URL(page.url()).pathname.split('/')[2])
    await page.goto(`/groups/${bodyId}/programme`)
    await page.getByRole('link', { name: 'Voortgangsrapportages' }).click()
    await page.getByRole('heading', { level: 1, name: 'Voortgangsrapportages' }).waitFor()
    await page.locator('#report-list').getByText('Er zijn nog geen rapportages').waitFor()
    assert.equal(await page.getByLabel('Voor', { exact: true }).inputValue(), String(bodyId))
    const quarter = await page.locator('#report-period option').first().getAttribute('value')
    assert.match(quarter, /^\d{4}-Q[1-4]$/)
    await page.getByLabel('Periode', { exact: true }).selectOption(quarter)
    await page.getByRole('button', { name: 'Rapportage bevriezen…' }).click()
    await page.locator('#report-confirm', { hasText: `De rapportage ${quarter} voor ${DEMO_GROUP} bevriezen?` }).waitFor()
    await checkAccessibility(page, 'reports: confirmation')
    await page.getByRole('button', { name: 'Ja, bevriezen' }).click()
    await page.locator('#report-progress', { hasText: `Rapportage ${quarter} is bevroren.` }).waitFor()
    await page.locator('#report-view').waitFor()
    const hash = (await page.locator('#report-view .report-hash').textContent()).trim()
    assert.match(hash, /^[0-9a-f]{64}$/)
    assert.equal((await page.locator('#report-table tbody tr').count()), 1)
    assert.equal((await page.locator('#report-table .report-hash').textContent()).trim(), hash)
    await checkAccessibility(page, 'reports: a frozen report')
    await shot(page, 'reports-frozen', { top: true, full: true })
    const pdf = await download(page, '#report-download-pdf', 'pdf')
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF')
    const csv = await download(page, '#report-download-csv', 'csv')
    assert.match(csv.toString(), /^sectie,orgaan,mijlpaal_id/)
  })

  step('the secretariat switches the public page on with one milestone', async () => {
    const { page } = S
    await page.goto(`/groups/${bodyId}/settings`)
    await page.getByRole('heading', { level: 2, name: 'Openbare voortgangspagina' }).waitFor()
    const first = page.locator('#public-milestones input[type=checkbox]').first()
    await first.waitFor()
    const label = await page.locator(`label[for="${await first.getAttribute('id')}"]`).textContent()
    markedTitle = label.replace(/ \([^)]*\)$/, '')
    await first.check()
    await page.getByLabel('Openbare pagina aan').check()
    await page.getByLabel('Adres', { exact: true }).fill('beter-pakketbeheer')
    await page.locator('#public-save').click()
    await page.getByRole('link', { name: 'Open de openbare pagina' }).waitFor()
    await checkAccessibility(page, 'body settings with the public page')
  })

  step('a visitor without an account opens the public page', async () => {
    const { page } = V
    const response = await page.goto('/openbaar/beter-pakketbeheer')
    assert.equal(response.status(), 200)
    await page.getByRole('heading', { level: 1, name: `Voortgang: ${DEMO_GROUP}` }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'nl')
    const rows = page.locator('table tbody tr')
    assert.equal(await rows.count(), 1)
    assert.equal((await rows.first().locator('th').textContent()).trim(), markedTitle)
    await checkAccessibility(page, 'the public progress page')
    await shot(page, 'public-page', { top: true, full: true })
    const missing = await page.goto('/openbaar/bestaat-niet')
    assert.equal(missing.status(), 404)
    await page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor()
  })
})
