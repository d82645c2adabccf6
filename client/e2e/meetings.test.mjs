// End-to-end: meetings, decision requests and the decision register in Chromium against the
// demo. The secretariat (Bram) schedules a BO-IZA meeting from the body's screen, gives the
// demo draft a version, puts a decision request from the working group on the meeting with
// that version as support, builds the agenda (a version item moved by keyboard) and sends the
// pack (the PDF is downloaded and its SHA-256 checked), and cancels another meeting. The chair (Willem) finds the meeting in
// the calendar and records the outcome: agreed with a condition and a follow-up milestone (the
// outcome picked with the arrow keys). A working-group member (Joost) finds the decision in the
// register by searching and opens it. The chair then records niet akkoord on a second request,
// opening a dispute from the outcome form. axe runs on every new screen.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { DEMO_DRAFT, DEMO_GROUP, assertNoConsoleErrors, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const bram = demoPerson('bram@vws.demo')
const willem = demoPerson('willem@vws.demo')
const joost = demoPerson('joost@zin.demo')
const BO_IZA = 'Bestuurlijk Overleg IZA (BO-IZA)'
const MEETING = 'BO-IZA overleg pakketbeheer'
const REQUEST = 'Instemming met het advies Beter pakketbeheer'
const VERSION = 'Ter besluitvorming BO-IZA'
const CONDITION = 'De NZa toetst de uitvoerbaarheid voor 1 maart.'
const FOLLOW_UP = 'Uitvoeringstoets NZa afgerond'

// a day about three weeks ahead, as the date field takes it
const day = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10)

let S, W, J
let boId, groupId, meetingId, requestId
demoSuite({
  pages: 3,
  ready: (suite) => {
    ;[S, W, J] = suite.people
  },
})

const step = stepper()

async function csrfPost(person, path, data) {
  const csrf = (await person.context.storageState()).cookies.find((c) => c.name === 'polder_csrf')?.value ?? ''
  const response = await person.context.request.post(path, { data, headers: { 'x-csrf-token': csrf } })
  assert.ok(response.ok(), `${path}: ${response.status()} ${await response.text()}`)
  return response.json()
}

/** The ids of the agenda's items, in order. */
const agendaOrder = (page) => page.locator('#agenda > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-item')))

describe('meetings, decision requests and the register in the browser', { concurrency: false }, () => {
  step('the secretariat opens the calendar: a month grid and a list', async () => {
    const { page } = S
    await signIn(S, bram)
    const bodies = (await (await S.context.request.get('/api/bodies?limit=200')).json()).items
    boId = bodies.find((b) => b.name === BO_IZA)?.id
    groupId = bodies.find((b) => b.name === DEMO_GROUP)?.id
    assert.ok(boId && groupId, 'the secretariat sees the BO-IZA and the working group')
    await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Kalender' }).click()
    await page.getByRole('heading', { level: 1, name: 'Vergaderkalender' }).waitFor()
    const grid = page.locator('#month-grid')
    await grid.waitFor()
    // Monday first, a caption with the Dutch month name
    assert.match(await grid.locator('thead th').nth(1).innerText(), /^ma/i)
    assert.match(await page.locator('#month-caption').innerText(), /^(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}$/)
    await page.locator('#month-grid td[aria-current="date"]').waitFor()
    const caption = await page.locator('#month-caption').innerText()
    await page.getByRole('button', { name: 'Volgende maand' }).click()
    await page.waitForFunction((before) => document.querySelector('#month-caption')?.textContent !== before, caption)
    await page.getByRole('button', { name: 'Vandaag' }).click()
    await page.locator('#month-caption', { hasText: caption }).waitFor()
    await checkAccessibility(page, 'calendar month')
    await shot(page, 'calendar-month', { top: true })
    await page.getByRole('button', { name: 'Lijst', exact: true }).click()
    await page.waitForURL(/view=list/)
    await page.locator('#meeting-list').waitFor()
    await checkAccessibility(page, 'calendar list')
  })

  step('the secretariat schedules a BO-IZA meeting on the body screen; a bad link is refused at its field', async () => {
    const { page } = S
    await page.goto(`/groups/${boId}`)
    await page.getByRole('heading', { level: 2, name: 'Vergaderingen' }).waitFor()
    await page.locator('#year-plan').waitFor()
    await page.locator('#plan-meeting summary').click()
    const form = page.locator('#plan-meeting-form')
    await form.waitFor()
    await form.getByLabel('Titel', { exact: true }).fill(MEETING)
    await form.getByLabel('Soort overleg').selectOption('bo_iza')
    await form.getByLabel('Datum', { exact: true }).fill(day)
    await form.getByLabel('Begintijd').fill('10:00')
    await form.getByLabel('Eindtijd').fill('12:30')
    await form.getByLabel('Plaats').fill('Ministerie van VWS, Den Haag')
    await form.getByLabel('Online link').fill('http://vergaderen.example/bo-iza')
    await form.getByRole('button', { name: 'Vergadering plannen' }).click()
    await page.locator('#plan-meeting-form-online[aria-invalid="true"]').waitFor()
    assert.match(await page.locator('#plan-meeting-form-online').getAttribute('aria-describedby'), /plan-meeting-form-online-error/)
    await checkAccessibility(page, 'plan a meeting, with a field error')
    await form.getByLabel('Online link').fill('https://vergaderen.example/bo-iza')
    await shot(page, 'meeting-plan', { full: true })
    await form.getByRole('button', { name: 'Vergadering plannen' }).click()
    await page.waitForURL(/\/meetings\/\d+$/)
    meetingId = Number(new URL(page.url()).pathname.split('/')[2])
    await page.getByRole('heading', { level: 1, name: MEETING }).waitFor()
    await page.locator('#meeting-when', { hasText: '10:00–12:30' }).waitFor()
    await page.locator('#meeting-status [data-state="gepland"]').waitFor()
    await checkAccessibility(page, 'meeting screen')
  })

  step('the secretariat puts a decision request from the working group on the meeting, the demo draft\'s version as support', async () => {
    const { page } = S
    // the demo draft gets a named version (as the versions panel makes one)
    const drafts = (await (await S.context.request.get(`/api/bodies/${groupId}/drafts?limit=200`)).json()).items
    const draft = drafts.find((d) => d.title === DEMO_DRAFT)
    assert.ok(draft, 'the demo draft exists')
    await csrfPost(S, `/api/drafts/${draft.id}/versions`, { name: VERSION })

    await page.getByRole('link', { name: 'Besluitvraag indienen' }).click()
    await page.getByRole('heading', { level: 1, name: 'Besluitvraag indienen' }).waitFor()
    const form = page.locator('#request-form')
    await form.getByLabel('Titel', { exact: true }).fill(REQUEST)
    await form.getByLabel('Vraag', { exact: true }).fill('Stemt het BO-IZA in met het advies van de werkgroep over de rollen in het pakketbeheer?')
    await form.getByLabel('Opties').fill('Instemmen\nInstemmen onder voorwaarden\nNiet instemmen')
    await form.getByLabel('Gevraagd aan').fill('de bestuurders van het BO-IZA')
    assert.equal(await form.getByLabel('Besluitend orgaan').inputValue(), String(boId))
    await form.getByLabel('Aangevraagd door').selectOption({ label: DEMO_GROUP })
    // the meeting it came from is chosen already
    await page.locator(`#request-meeting option[value="${meetingId}"]`).waitFor({ state: 'attached' })
    assert.equal(await form.getByLabel('Vergadering', { exact: true }).inputValue(), String(meetingId))
    await page.locator('#request-draft optgroup option', { hasText: DEMO_DRAFT }).waitFor({ state: 'attached' })
    await form.getByLabel('Concept', { exact: true }).selectOption({ label: DEMO_DRAFT })
    await page.locator('#request-version option', { hasText: VERSION }).waitFor({ state: 'attached' })
    await form.getByLabel('Versie', { exact: true }).selectOption({ label: `${VERSION} (Concept)` })
    await form.getByLabel('Uiterste datum').fill(day)
    await checkAccessibility(page, 'decision request form')
    await shot(page, 'decision-request-form', { full: true })
    await form.getByRole('button', { name: 'Besluitvraag indienen' }).click()
    await page.waitForURL(/\/decision-requests\/\d+$/)
    requestId = Number(new URL(page.url()).pathname.split('/')[2])
    await page.getByRole('heading', { level: 1, name: REQUEST }).waitFor()
    await page.locator('#request-status [data-state="open"]').waitFor()
    await page.locator('#request-version a', { hasText: `${DEMO_DRAFT} — ${VERSION}` }).waitFor()
    await page.locator('#request-meeting a', { hasText: MEETING }).waitFor()
    await page.locator('#request-options-list li').nth(2).waitFor()
    await checkAccessibility(page, 'decision request (secretariat)')
  })

  step('the secretariat builds the agenda: a version item added and moved with the keyboard', async () => {
    const { page } = S
    await page.locator('#request-meeting a').click()
    await page.getByRole('heading', { level: 1, name: MEETING }).waitFor()
    // the request is on the agenda already
    await page.locator(`#agenda li[data-kind="decision_request"]`, { hasText: REQUEST }).waitFor()
    await page.locator('#agenda-kind').selectOption('version')
    await page.locator('#agenda-draft optgroup option', { hasText: DEMO_DRAFT }).waitFor({ state: 'attached' })
    await page.locator('#agenda-draft').selectOption({ label: DEMO_DRAFT })
    await page.locator('#agenda-version option', { hasText: VERSION }).waitFor({ state: 'attached' })
    await page.locator('#agenda-version').selectOption({ label: `${VERSION} (Concept)` })
    await page.locator('#agenda-note').fill('Het advies zelf, ter bespreking.')
    await page.getByRole('button', { name: 'Agendapunt toevoegen' }).click()
    const versionItem = page.locator('#agenda li[data-kind="version"]')
    await versionItem.waitFor()
    const itemId = await versionItem.getAttribute('data-item')
    const requestItem = await page.locator('#agenda li[data-kind="decision_request"]').getAttribute('data-item')
    assert.deepEqual(await agendaOrder(page), [requestItem, itemId])
    await versionItem.locator('.agenda-link a', { hasText: VERSION }).waitFor()

    // keyboard only: the version item goes up with Enter; focus stays with the item
    await page.locator(`#agenda-up-${itemId}`).focus()
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => document.querySelector('#agenda > li')?.getAttribute('data-item') === id, itemId)
    assert.deepEqual(await agendaOrder(page), [itemId, requestItem])
    assert.equal(await page.evaluate(() => document.activeElement?.id), `agenda-down-${itemId}`)
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => document.querySelector('#agenda > li')?.getAttribute('data-item') === id, requestItem)
    assert.equal(await page.evaluate(() => document.activeElement?.id), `agenda-up-${itemId}`)
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => document.querySelector('#agenda > li')?.getAttribute('data-item') === id, itemId)
    assert.deepEqual(await agendaOrder(page), [itemId, requestItem])
    await checkAccessibility(page, 'meeting with its agenda')
    await shot(page, 'meeting-agenda', { top: true, full: true })
  })

  step('the secretariat sends the pack; the PDF downloads and matches its SHA-256', async () => {
    const { page } = S
    await page.getByRole('button', { name: 'Stukken versturen' }).click()
    await page.locator('#pack-result').waitFor({ timeout: 60_000 })
    const row = page.locator('#pack-list tbody tr').first()
    await row.waitFor()
    const href = await row.locator('a.pack-pdf').getAttribute('href')
    assert.match(href, /^\/api\/meeting-packs\/\d+\/pack\.pdf$/)
    assert.match(await row.locator('a.pack-docx').getAttribute('href'), /pack\.docx$/)
    const pdf = await S.context.request.get(href)
    assert.equal(pdf.status(), 200)
    const bytes = await pdf.body()
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF')
    const shown = await row.locator('td.hash code').first().innerText()
    assert.equal(shown, createHash('sha256').update(bytes).digest('hex'))
    await checkAccessibility(page, 'meeting with a sent pack')
    await shot(page, 'meeting-pack', { full: true })
    assertNoConsoleErrors(S, 'secretariat')
  })

  step('the secretariat cancels another meeting: struck through and saying "Geannuleerd" on its screen and in the calendar', async () => {
    const { page } = S
    const other = await csrfPost(S, `/api/bodies/${boId}/meetings`, { title: 'BO-IZA extra overleg', kind: 'bo_iza', starts: `${day}T14:00`, ends: `${day}T15:00` })
    await page.goto(`/meetings/${other.id}`)
    await page.getByRole('heading', { level: 1, name: 'BO-IZA extra overleg' }).waitFor()
    await page.locator('#cancel-details summary').click()
    await page.getByLabel('Reden (optioneel)').fill('Samengevoegd met het overleg van 10:00.')
    await page.getByRole('button', { name: 'Vergadering annuleren' }).click()
    await page.locator('#meeting-title s', { hasText: 'BO-IZA extra overleg' }).waitFor()
    await page.locator('#meeting-title [data-state="geannuleerd"]', { hasText: 'Geannuleerd' }).waitFor()
    await page.locator('#meeting-cancelled').waitFor()
    assert.equal(await page.locator('#pack-form').count(), 0, 'no pack for a cancelled meeting')
    await checkAccessibility(page, 'cancelled meeting')
    await page.goto('/calendar?view=list')
    const entry = page.locator(`#meeting-list li[data-meeting="${other.id}"]`)
    await entry.locator('s', { hasText: 'BO-IZA extra overleg' }).waitFor()
    await entry.getByText('Geannuleerd').waitFor()
    await page.locator(`#meeting-list li[data-meeting="${meetingId}"] s`).waitFor({ state: 'detached' })
    await shot(page, 'calendar-list', { top: true })
  })

  step('the chair finds the meeting in the calendar and records the outcome: agreed with a condition and a follow-up', async () => {
    const { page } = W
    await signIn(W, willem)
    await page.goto(`/calendar?month=${day.slice(0, 7)}`)
    await page.locator(`#month-grid td[data-day="${day}"] a`, { hasText: MEETING }).click()
    await page.getByRole('heading', { level: 1, name: MEETING }).waitFor()
    await page.locator('#meeting-requests a', { hasText: REQUEST }).click()
    await page.getByRole('heading', { level: 1, name: REQUEST }).waitFor()
    await page.getByRole('heading', { level: 2, name: 'Besluit vastleggen' }).waitFor()
    const form = page.locator('#outcome-form')
    assert.equal(await page.locator('#outcome-conditions').isVisible(), false, 'no conditions field for a plain akkoord')
    // the outcome with the arrow keys: from "Akkoord" one down
    await form.getByLabel('Akkoord', { exact: true }).focus()
    await page.keyboard.press('ArrowDown')
    assert.equal(await form.getByLabel('Akkoord onder voorwaarden').isChecked(), true)
    await page.locator('#outcome-conditions').waitFor()
    assert.equal(await form.getByLabel('Vergadering', { exact: true }).inputValue(), String(meetingId))
    await form.getByLabel('Onderwerp (optioneel)').fill('Rollen in het pakketbeheer')
    await form.getByLabel('Toelichting').fill('Het BO-IZA steunt de rolverdeling; de uitvoerbaarheid wordt nog getoetst.')
    await form.getByRole('button', { name: 'Besluit vastleggen' }).click()
    await page.locator('#outcome-conditions[aria-invalid="true"]').waitFor()
    await checkAccessibility(page, 'outcome form with a field error')
    await form.getByLabel('Voorwaarden', { exact: true }).fill(CONDITION)
    await form.getByRole('button', { name: 'Vervolgmijlpaal toevoegen' }).click()
    const followRow = page.locator('#follow-up-rows .follow-up-row').first()
    await followRow.getByLabel('Titel', { exact: true }).fill(FOLLOW_UP)
    await followRow.getByLabel('Gereed', { exact: true }).fill('Q1 2027')
    await followRow.getByLabel('Trekker').selectOption('ZIN')
    await checkAccessibility(page, 'outcome form')
    await shot(page, 'decision-outcome-form', { full: true })
    await form.getByRole('button', { name: 'Besluit vastleggen' }).click()
    const decision = page.locator('#request-decision-list li[data-outcome="akkoord_onder_voorwaarden"]')
    await decision.waitFor()
    await decision.getByText(CONDITION).waitFor()
    await decision.getByRole('link', { name: FOLLOW_UP }).waitFor()
    await page.locator('#request-status [data-state="besloten"]').waitFor()
    assert.equal(await page.locator('#outcome-form').count(), 0, 'a decided request takes no second outcome')
    await checkAccessibility(page, 'decided request')
    await shot(page, 'decision-request-decided', { full: true })
    // the BO-IZA's own register lists it too
    await page.goto(`/groups/${boId}/decisions`)
    await page.getByRole('heading', { level: 1, name: `Besluitenregister: ${BO_IZA}` }).waitFor()
    await page.locator('#register-table tbody tr', { hasText: REQUEST }).waitFor()
    assert.match(await page.locator('#register-pdf').getAttribute('href'), new RegExp(`^/api/bodies/${boId}/decisions\\.pdf`))
    await checkAccessibility(page, 'body register')
    assertNoConsoleErrors(W, 'chair')
  })

  step('a working-group member finds the decision in the register and opens it', async () => {
    const { page } = J
    await signIn(J, joost)
    await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Besluiten' }).click()
    await page.getByRole('heading', { level: 1, name: 'Besluitenregister' }).waitFor()
    await page.locator('#register-state').waitFor()
    // a period that is not one is refused at its field
    await page.getByLabel('Periode').fill('Q3')
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click()
    await page.locator('#register-period[aria-invalid="true"]').waitFor()
    await page.getByLabel('Periode').fill(day.slice(0, 4))
    await page.getByLabel('Zoeken', { exact: true }).fill('pakketbeheer')
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click()
    await page.waitForURL(/q=pakketbeheer/)
    const row = page.locator('#register-table tbody tr', { hasText: REQUEST })
    await row.waitFor()
    await row.locator('[data-state="akkoord_onder_voorwaarden"]').waitFor()
    await row.getByRole('link', { name: FOLLOW_UP }).waitFor()
    const csv = await page.locator('#register-csv').getAttribute('href')
    assert.match(csv, /^\/api\/decisions\.csv\?q=pakketbeheer&from=\d{4}-01-01&to=\d{4}-12-31$/)
    assert.match(await page.locator('#register-pdf').getAttribute('href'), /^\/api\/decisions\.pdf\?q=pakketbeheer/)
    assert.equal((await J.context.request.get(csv)).status(), 200)
    await checkAccessibility(page, 'decision register')
    await shot(page, 'decision-register', { full: true })
    await row.getByRole('link', { name: REQUEST }).click()
    await page.waitForURL(new RegExp(`/decision-requests/${requestId}$`))
    await page.getByRole('heading', { level: 1, name: REQUEST }).waitFor()
    await page.locator('#request-decision-list li[data-outcome="akkoord_onder_voorwaarden"]').waitFor()
    assert.equal(await page.locator('#outcome-form').count(), 0, 'a member records no outcome')
    await checkAccessibility(page, 'decision request (member)')
    // the screen in English, switched live
    await page.locator('#lang-switch').click()
    await page.getByRole('heading', { level: 2, name: 'Decisions' }).waitFor()
    await page.locator('#request-decision-list [data-state="akkoord_onder_voorwaarden"]', { hasText: 'Agreed with conditions' }).waitFor()
    await page.locator('#request-status', { hasText: 'Decided' }).waitFor()
    await checkAccessibility(page, 'decision request in English')
    await page.locator('#lang-switch').click()
    await page.getByRole('heading', { level: 2, name: 'Besluiten' }).waitFor()
    assertNoConsoleErrors(J, 'member')
  })

  step('the secretariat puts a second request; the chair records niet akkoord and opens a dispute on its version', async () => {
    const { page } = W
    const first = await (await S.context.request.get(`/api/decision-requests/${requestId}`)).json()
    assert.ok(first.version, 'the first request has its supporting version')
    const second = await csrfPost(S, `/api/bodies/${boId}/decision-requests`, {
      title: 'Uitbreiding van de opdracht',
      question: 'Gaat het BO akkoord met een uitbreiding van de opdracht?',
      requesting_body_id: groupId,
      meeting_id: meetingId,
      version_id: first.version.id,
    })
    await page.goto(`/decision-requests/${second.id}`)
    const form = page.locator('#outcome-form')
    await form.waitFor()
    await form.getByLabel('Niet akkoord', { exact: true }).check()
    assert.equal(await page.locator('#open-dispute-details').isVisible(), false, 'the dispute fields wait for the box')
    await form.getByLabel('Dit besluit opent een geschil').check()
    await form.getByLabel('Partij die het geschil inbrengt').selectOption('ZIN')
    await form.getByLabel('Andere betrokken partij (optioneel)').selectOption('FMS')
    await form.getByRole('button', { name: 'Besluit vastleggen' }).click()
    await page.locator('#open-dispute-statement[aria-invalid="true"]').waitFor()
    await form.getByLabel('Waar gaat het geschil over?').fill('ZIN en FMS zien de uitbreiding verschillend.')
    await checkAccessibility(page, 'outcome form opening a dispute')
    await form.getByRole('button', { name: 'Besluit vastleggen' }).click()
    const decision = page.locator('#request-decision-list li[data-outcome="niet_akkoord"]')
    await decision.waitFor()
    const href = await decision.getByRole('link', { name: 'Geopend geschil' }).getAttribute('href')
    assert.match(href, /^\/disputes\/\d+$/)
    assertNoConsoleErrors(W, 'chair')
    // the dispute lives in the working group, on the version's draft: its secretariat opens it
    await S.page.goto(href)
    await S.page.getByText('ZIN en FMS zien de uitbreiding verschillend.').first().waitFor()
  })
})
