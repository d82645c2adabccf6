// End-to-end: role agreements and disputes in the browser, as the demo working group's people.
// The chair creates a role agreement with a responsibility text per party; the parties' mandate
// holders sign; the chair changes one party's role and only that party's sign-off re-opens
// (shown and announced). A member raises a dispute from a selected passage in the editor, lands
// on the dispute, which links back to the passage; and one from a role agreement.
// Screenshots → artifacts/screenshots/agreement-*.png and dispute-raise*.png.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { request as apiRequest } from 'playwright-core'
import { checkAccessibility } from './lib/axe.mjs'
import { assertNoConsoleErrors, DEMO_DRAFT, DEMO_GROUP, demoPerson, demoSuite, fillSignIn, shot, stepper } from './lib/suite.mjs'

const chair = demoPerson('anna@vws.demo')
const zin = demoPerson('joost@zin.demo')
const zn = demoPerson('pieter@zn.demo')
const TOPIC = 'Rollen bij de horizonscan geneesmiddelen'

let server, A, B
let groupPath, bodyId, agreementId, draftPath
demoSuite({
  pages: 2,
  ready: (suite) => {
    server = suite.server
    ;[A, B] = suite.people
  },
})

/** An API session of a demo person (cookie + CSRF header), outside the browser. */
async function apiAs(who) {
  const context = await apiRequest.newContext({ baseURL: server.base })
  const signed = await context.post('/api/session', { data: { email: who.email, password: who.password } })
  assert.equal(signed.status(), 204, await signed.text())
  const csrf = (await context.storageState()).cookies.find((c) => c.name === 'polder_csrf')?.value ?? ''
  return {
    context,
    async post(path, data) {
      const response = await context.post(path, { data, headers: { 'x-csrf-token': csrf } })
      return { status: response.status(), body: await response.json().catch(() => null) }
    },
    async get(path) {
      return (await context.get(path)).json()
    },
  }
}

const step = stepper()

const card = (page) => page.locator('article.agreement', { hasText: TOPIC })

describe('role agreements and disputes in the browser', { concurrency: false }, () => {
  step('the chair creates a role agreement with a role and a responsibility per party', async () => {
    const { page } = A
    await page.goto('/')
    await page.waitForURL('**/sign-in')
    await fillSignIn(A.page, chair)
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    groupPath = new URL(page.url()).pathname
    bodyId = Number(groupPath.split('/').pop())
    await page.getByRole('heading', { level: 2, name: 'Rolafspraken' }).waitFor()
    await page.getByText('Nieuwe rolafspraak').click()
    const form = page.locator('#new-agreement-form')
    // the topic is required, and the error is shown at its field
    await form.getByRole('button', { name: 'Rolafspraak vastleggen' }).click()
    const title = form.getByLabel('Onderwerp', { exact: true })
    assert.equal(await title.getAttribute('aria-invalid'), 'true')
    assert.match(await page.locator('#new-agreement-title-error').innerText(), /Onderwerp/)
    await title.fill(TOPIC)
    await form.getByLabel('Toelichting op het onderwerp').fill('Wie scant nieuwe geneesmiddelen, wie beoordeelt, wie wordt geïnformeerd?')
    await form.getByLabel('Rol van ZIN').selectOption('trekker')
    await form.getByLabel('Verantwoordelijkheid van ZIN').fill('Stelt de horizonscan op en actualiseert hem elk kwartaal.')
    await form.getByLabel('Rol van VWS').selectOption('medeverantwoordelijk')
    await form.getByLabel('Verantwoordelijkheid van VWS').fill('Financiert de scan en agendeert de uitkomsten.')
    await form.getByLabel('Rol van ZN').selectOption('geconsulteerd')
    await form.getByLabel('Verantwoordelijkheid van ZN').fill('Levert declaratiegegevens aan.')
    await form.getByLabel('Rol van IGJ').selectOption('geïnformeerd')
    await checkAccessibility(page, 'create role agreement')
    await form.scrollIntoViewIfNeeded()
    await shot(page, 'agreement-create')
    await form.getByRole('button', { name: 'Rolafspraak vastleggen' }).click()
    await card(page).waitFor()
    await card(page).locator('tr[data-party="ZIN"] .responsibility', { hasText: 'Stelt de horizonscan op' }).waitFor()
    await card(page).locator('tr[data-party="ZN"] [data-state="pending"]').waitFor()
    agreementId = Number(await card(page).getAttribute('data-agreement'))
    assert.ok(agreementId > 0)
    // the pending list names the mandate holders who still have to answer
    await card(page).locator(`#agreement-${agreementId}-pending li[data-party="ZN"]`, { hasText: 'Pieter Smit' }).waitFor()
    assertNoConsoleErrors(A, 'create agreement')
  })

  step('the mandate holders sign; the chair changes ZN\'s role and only ZN\'s sign-off re-opens', async () => {
    for (const who of [zin, zn, chair]) {
      const api = await apiAs(who)
      const agreement = await api.get(`/api/role-agreements/${agreementId}`)
      const signed = await api.post(`/api/role-agreements/${agreementId}/sign-offs`, { state: 'akkoord', version_hash: agreement.version_hash })
      assert.equal(signed.status, 201, JSON.stringify(signed.body))
      await api.context.dispose()
    }
    const { page } = A
    await page.reload()
    for (const code of ['ZIN', 'VWS', 'ZN']) await card(page).locator(`tr[data-party="${code}"] [data-state="akkoord"]`).waitFor()
    await card(page).getByText('Alle partijen hebben gereageerd.').waitFor()
    await card(page).locator(`#agreement-${agreementId}-pending`).waitFor({ state: 'detached' })

    await card(page).getByRole('button', { name: 'Rol van ZN wijzigen' }).click()
    const dialog = page.locator('#agreement-row-dialog')
    await dialog.getByRole('heading', { name: /Rol van ZN wijzigen/ }).waitFor()
    await dialog.getByLabel('Rol', { exact: true }).selectOption('medeverantwoordelijk')
    await dialog.getByLabel('Verantwoordelijkheid').fill('Levert declaratiegegevens aan en beoordeelt de uitvoerbaarheid.')
    await checkAccessibility(page, 'change a party\'s role')
    await shot(page, 'agreement-change-role')
    await dialog.getByRole('button', { name: 'Opslaan' }).click()
    await dialog.waitFor({ state: 'detached' })

    // ZN is asked again, and that is visible and announced; ZIN and VWS keep their akkoord
    const znRow = card(page).locator('tr[data-party="ZN"]')
    await znRow.locator('[data-state="reopened"]', { hasText: 'Opnieuw ter akkoord' }).waitFor()
    await znRow.getByText('Medeverantwoordelijk').waitFor()
    await page.locator('#announcer', { hasText: 'Opnieuw ter akkoord bij: ZN.' }).waitFor()
    for (const code of ['ZIN', 'VWS']) await card(page).locator(`tr[data-party="${code}"] [data-state="akkoord"]`).waitFor()
    const pendingList = card(page).locator(`#agreement-${agreementId}-pending li`)
    assert.deepEqual(await pendingList.evaluateAll((items) => items.map((li) => li.dataset.party)), ['ZN'])
    // the server agrees: only ZN is pending, the others were carried to the new version
    const api = await apiAs(chair)
    const pending = await api.get(`/api/role-agreements/${agreementId}/pending`)
    assert.deepEqual(pending.pending.map((p) => p.code).filter((c) => c !== 'IGJ'), ['ZN'])
    assert.equal(pending.pending.find((p) => p.code === 'ZN').previous.superseded_reason, 'reopened')
    await api.context.dispose()
    await checkAccessibility(page, 'role agreement with a re-opened sign-off')
    await card(page).scrollIntoViewIfNeeded()
    await shot(page, 'agreement-reopened')
    assertNoConsoleErrors(A, 'change role')
  })

  step('a member raises a dispute from a selected passage in the editor and lands on it', async () => {
    const { page } = B
    await page.goto(groupPath)
    await page.waitForURL('**/sign-in?next=*')
    await fillSignIn(B.page, zin)
    await page.waitForURL(`**${groupPath}`)
    await page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).click()
    await page.waitForURL(/\/drafts\/\d+$/)
    draftPath = new URL(page.url()).pathname
    await page.locator('#connection-status[data-state="connected"], #connection-status[data-state="merged"]').waitFor({ timeout: 15_000 })
    // select the first paragraph with text
    const paragraph = page.locator('#draft-editor p', { hasText: /\w{4,}/ }).first()
    const passage = (await paragraph.innerText()).trim()
    assert.ok(passage.length > 10, `a paragraph to quote: ${passage}`)
    await paragraph.click({ clickCount: 3 })
    const button = page.getByRole('toolbar').getByRole('button', { name: 'Geschil melden' })
    await button.click()
    const dialog = page.locator('#raise-dispute-dialog')
    await dialog.getByRole('heading', { name: 'Geschil melden' }).waitFor()
    const quoted = (await dialog.locator('blockquote').innerText()).trim()
    assert.ok(passage.startsWith(quoted.slice(0, 20)), `the selection is the passage: ${quoted}`)
    // required fields are marked at the field
    await dialog.getByRole('button', { name: 'Geschil melden' }).click()
    assert.equal(await dialog.getByLabel('Titel van het geschil').getAttribute('aria-invalid'), 'true')
    await dialog.getByLabel('Titel van het geschil').fill('Reikwijdte van de horizonscan')
    await dialog.getByLabel('Waar gaat het verschil van inzicht over?').fill('ZIN leest deze passage ruimer dan VWS; we vragen de werkgroep om een keuze.')
    await dialog.getByLabel('FMS').check()
    await dialog.getByLabel('Titel van de optie').fill('Alleen dure geneesmiddelen')
    await dialog.getByLabel('Toelichting op de optie').fill('Beperk de scan tot middelen boven de drempel.')
    await checkAccessibility(page, 'raise a dispute dialog')
    await shot(page, 'dispute-raise')
    await dialog.getByRole('button', { name: 'Geschil melden' }).click()
    await page.waitForURL(/\/disputes\/\d+$/)
    const disputeId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.getByRole('heading', { level: 1, name: 'Reikwijdte van de horizonscan' }).waitFor()
    await page.locator('#announcer', { hasText: 'is gemeld' }).waitFor()
    await page.locator('#dispute-passage', { hasText: quoted.slice(0, 20) }).waitFor()
    await page.locator('#options', { hasText: 'Alleen dure geneesmiddelen' }).waitFor()
    await page.locator('#positions li[data-party="FMS"]').waitFor()
    // the dispute links back to the passage in the draft
    const back = page.locator('#dispute-subject-link')
    await back.filter({ hasText: DEMO_DRAFT }).waitFor()
    assert.equal(await back.getAttribute('href'), `${draftPath}?dispute=${disputeId}`)
    await checkAccessibility(page, 'raised dispute')
    await shot(page, 'dispute-raise-done')
    await back.click()
    await page.waitForURL(`**${draftPath}?dispute=${disputeId}`)
    await page.locator('#dispute-banner-link').waitFor()
    await page.locator('#dispute-passage-status', { hasText: 'De passage is geselecteerd in de tekst.' }).waitFor({ timeout: 15_000 })
    const selected = await page.evaluate(() => String(window.getSelection()))
    assert.ok(selected.includes(quoted.slice(0, 20)), `the passage is selected: ${selected}`)
    await checkAccessibility(page, 'draft opened from a dispute')
    await shot(page, 'dispute-raise-backlink')
    assertNoConsoleErrors(B, 'dispute from a passage')
  })

  step('a member raises a dispute from a role-agreement row; it links back to the agreement', async () => {
    const { page } = B
    await page.goto(groupPath)
    // from ZN's row of the matrix: ZN is named and preselected
    await card(page).locator('tr[data-party="ZN"]').getByRole('button', { name: 'Geschil melden over de rol van ZN' }).click()
    const dialog = page.locator('#raise-dispute-dialog')
    await dialog.getByText(`Over de rol van ZN in de rolafspraak “${TOPIC}”`).waitFor()
    assert.equal(await dialog.getByLabel('Titel van het geschil').inputValue(), 'Rol van ZN')
    assert.equal(await dialog.getByLabel('ZN').isChecked(), true)
    await dialog.getByLabel('Titel van het geschil').fill('Trekkerschap horizonscan')
    await dialog.getByLabel('Waar gaat het verschil van inzicht over?').fill('ZN wil medeverantwoordelijk zijn, niet alleen geconsulteerd.')
    await checkAccessibility(page, 'raise a dispute about an agreement')
    await shot(page, 'dispute-raise-agreement')
    await dialog.getByRole('button', { name: 'Geschil melden' }).click()
    await page.waitForURL(/\/disputes\/\d+$/)
    await page.getByRole('heading', { level: 1, name: 'Trekkerschap horizonscan' }).waitFor()
    const back = page.locator('#dispute-subject-link', { hasText: TOPIC })
    assert.equal(await back.getAttribute('href'), `/groups/${bodyId}#agreement-${agreementId}`)
    // options can be proposed on the dispute screen too
    await page.locator('#dispute-options summary', { hasText: 'Optie voorstellen' }).click()
    await page.locator('#option-form').getByLabel('Titel van de optie').fill('ZN medeverantwoordelijk')
    await page.locator('#option-form').getByRole('button', { name: 'Optie voorstellen' }).click()
    await page.locator('#options', { hasText: 'ZN medeverantwoordelijk' }).waitFor()
    await back.click()
    await page.waitForURL(`**${groupPath}#agreement-${agreementId}`)
    await card(page).waitFor()
    // the address e-mails give an agreement leads to it on its group's screen
    await page.goto(`/role-agreements/${agreementId}`)
    await page.waitForURL(`**${groupPath}#agreement-${agreementId}`)
    await card(page).waitFor()
    assertNoConsoleErrors(B, 'dispute from an agreement')
  })
})
