// End-to-end: consent and consultation in the browser, as the demo working group's people.
// The chair opens an endorsement round on a named version; two mandate holders of different
// parties answer (ZIN akkoord, ZN akkoord met voorbehoud with a quote from the text); the chair
// opens a consultation and invites a guest, whose once-shown link signs the guest in (no
// navigation, a language switch), who responds with a comment quoting the text and an
// attachment; the secretariat downloads the consultation report as PDF and DOCX. Then the demo
// draft's open points: the chair accepts the [uiterlijke datum] proposal with an owner and a due
// date and closes the ZN bespreekpunt with a note, the count in the draft's header following;
// the new owner finds the open point in the inbox, linked to the draft's list. Axe on each new
// screen; the actions are done with the keyboard where that is the point.
// Screenshots → artifacts/screenshots/consent-*.png.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged, newPersonPage } from './lib/browser.mjs'
import { assertNoConsoleErrors, DEMO_DRAFT, DEMO_GROUP, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const chair = demoPerson('anna@vws.demo')
const secretariat = demoPerson('bram@vws.demo')
const zin = demoPerson('joost@zin.demo')
const zn = demoPerson('pieter@zn.demo')
const VERSION = 'Ronde werkgroep december'
const RESERVATION = 'Mits de uitvoeringstoets vóór de zomer klaar is.'
const CONSULTATION = 'Consultatie veldpartijen'
const GUEST_ORG = 'Stichting Zorgbelang Test'
const POINT_OWNER = 'Joost Bakker (ZIN)'
const CLOSE_NOTE = 'ZN heeft het voorstel in de werkgroep toegelicht.'
// the server's links carry its public URL, another origin than the one under test: the inbox
// keeps only their path
const PUBLIC_URL = 'http://polder.example'

let suite, A, B
let draftPath, consultationPath, guestLink
suite = demoSuite({
  pages: 2,
  server: { env: { POLDER_PUBLIC_URL: PUBLIC_URL } },
  ready: (s) => {
    ;[A, B] = s.people
  },
})

const step = stepper()

async function openDraft(page) {
  await page.goto('/')
  await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
  await page.waitForURL(/\/groups\/\d+$/)
  await page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).click()
  await page.waitForURL(/\/drafts\/\d+$/)
  draftPath = new URL(page.url()).pathname
  await page.locator('#instemming').waitFor()
  await page.locator('#connection-status[data-state="connected"], #connection-status[data-state="merged"]').waitFor({ timeout: 15_000 })
}

async function switchPerson(person, who) {
  const signOut = person.page.locator('#sign-out')
  if (await signOut.isVisible().catch(() => false)) {
    await signOut.click()
    await person.page.waitForURL('**/sign-in?signed-out=1')
  }
  await signIn(person, who)
}

describe('consent and consultation in the browser', { concurrency: false }, () => {
  step('the chair names a version and opens an endorsement round on it', async () => {
    const { page } = A
    await signIn(A, chair)
    await openDraft(page)
    // the open-points count is in the draft's header
    await page.locator('#open-points-badge', { hasText: /Open punten: \d+/ }).waitFor()
    await page.getByLabel('Naam van de versie').fill(VERSION)
    await page.getByRole('button', { name: 'Versie vastleggen' }).click()
    await page.locator('.version-list li', { hasText: VERSION }).waitFor()
    // a round the demo left open is withdrawn first (one open round per draft)
    const withdraw = page.locator('#round-withdraw')
    if (await withdraw.isVisible().catch(() => false)) {
      await withdraw.click()
      await page.locator('#announcer', { hasText: 'ingetrokken' }).waitFor()
    }
    const details = page.locator('#round-open-details')
    if (!(await details.evaluate((el) => el.open))) {
      await details.locator('summary').focus()
      await page.keyboard.press('Enter')
    }
    const form = page.locator('#round-open-form')
    const versionId = await form.locator('#round-version option', { hasText: VERSION }).getAttribute('value')
    await form.getByLabel('Versie').selectOption(versionId)
    await form.getByLabel('Toelichting (optioneel)').fill('Graag voor de volgende werkgroep.')
    await checkAccessibility(page, 'open an endorsement round')
    await form.getByRole('button', { name: 'Ronde openen' }).focus()
    await page.keyboard.press('Enter')
    await page.locator('#announcer', { hasText: `versie “${VERSION}”` }).waitFor()
    const matrix = page.locator('#round-matrix')
    await matrix.waitFor()
    await page.locator('#round-current [data-round-status="open"]').waitFor()
    // pending parties with their mandate holders
    await matrix.locator('tr[data-party="ZIN"] [data-state="pending"]').waitFor()
    await matrix.locator('tr[data-party="ZN"]', { hasText: 'Pieter Smit' }).waitFor()
    assert.equal(await matrix.locator('tr[data-party="IGJ"]').count(), 0, 'an informed party is not asked')
    await checkAccessibility(page, 'draft with an open endorsement round')
    await page.locator('#instemming').scrollIntoViewIfNeeded()
    await shot(page, 'consent-round-open')
    assertNoConsoleErrors(A, 'open round')
  })

  step('two mandate holders answer: ZIN akkoord, ZN akkoord met voorbehoud quoting the text', async () => {
    const { page } = B
    await signIn(B, zin)
    await openDraft(page)
    const form = page.locator('#round-answer-form')
    await form.waitFor()
    await form.getByLabel('Akkoord', { exact: true }).check()
    await form.getByRole('button', { name: 'Antwoord van ZIN vastleggen' }).click()
    await page.locator('#round-matrix tr[data-party="ZIN"] [data-state="akkoord"]').waitFor()
    await page.locator('#round-matrix tr[data-party="ZIN"]', { hasText: 'Joost Bakker' }).waitFor()
    assertNoConsoleErrors(B, 'ZIN answers')

    await switchPerson(B, zn)
    await openDraft(page)
    const paragraph = page.locator('#draft-editor p', { hasText: /\w{4,}/ }).first()
    await paragraph.click({ clickCount: 3 })
    const passage = (await page.evaluate(() => String(window.getSelection()))).trim()
    assert.ok(passage.length > 10, `a passage to quote: ${passage}`)
    const answer = page.locator('#round-answer-form')
    await answer.getByLabel('Akkoord met voorbehoud').check()
    // the reservation is required for voorbehoud
    await answer.getByRole('button', { name: 'Antwoord van ZN vastleggen' }).click()
    await answer.getByRole('alert').getByText('Schrijf het voorbehoud uit.').waitFor()
    await answer.getByLabel('Voorbehoud of toelichting').fill(RESERVATION)
    await answer.getByRole('button', { name: 'Selectie uit de tekst overnemen' }).click()
    const quoted = await answer.getByLabel('Citaat uit de versie (optioneel)').inputValue()
    assert.ok(quoted.length > 10 && passage.replace(/\s+/g, ' ').includes(quoted.slice(0, 20)), `the quote is the selection: ${quoted}`)
    await checkAccessibility(page, 'answer for one\'s party')
    await shot(page, 'consent-answer')
    await answer.getByRole('button', { name: 'Antwoord van ZN vastleggen' }).click()
    const znRow = page.locator('#round-matrix tr[data-party="ZN"]')
    await znRow.locator('[data-state="akkoord_met_voorbehoud"]').waitFor()
    await znRow.getByText(RESERVATION).waitFor()
    await znRow.locator('blockquote', { hasText: quoted.slice(0, 20) }).waitFor()
    assertNoConsoleErrors(B, 'ZN answers')

    // the chair sees both answers and who is still pending
    await A.page.reload()
    await A.page.locator('#round-matrix tr[data-party="ZIN"] [data-state="akkoord"]').waitFor()
    await A.page.locator('#round-matrix tr[data-party="ZN"] [data-state="akkoord_met_voorbehoud"]').waitFor()
    await A.page.locator('#round-matrix tr[data-party="FMS"] [data-state="pending"]').waitFor()
    await A.page.locator('#round-pending-count').waitFor()
    await checkAccessibility(A.page, 'round with two answers')
    await A.page.locator('#instemming').scrollIntoViewIfNeeded()
    await shot(A.page, 'consent-round-answers')
  })

  step('the chair opens a consultation and invites a guest; the link is shown once', async () => {
    const { page } = A
    const details = page.locator('#consultation-new')
    await details.locator('summary').click()
    const form = page.locator('#consultation-form')
    await form.getByLabel('Versie').selectOption({ label: VERSION })
    await form.getByLabel('Titel').fill(CONSULTATION)
    await form.getByLabel('Vraag aan de genodigden').fill('Herkent u zich in de voorgestelde werkwijze?')
    const closes = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10)
    await form.getByLabel('Sluit op').fill(closes)
    await checkAccessibility(page, 'new consultation form')
    await form.getByRole('button', { name: 'Consultatie aanmaken' }).click()
    await page.waitForURL(/\/consultaties\/\d+$/)
    consultationPath = new URL(page.url()).pathname
    await page.getByRole('heading', { level: 1, name: CONSULTATION }).waitFor()
    await page.locator('[data-consultation-status="open"]').waitFor()

    const invite = page.locator('#invite-form')
    if (!(await invite.isVisible())) await page.locator('#invite-new summary').click()
    await invite.getByLabel('Organisatie', { exact: true }).fill(GUEST_ORG)
    await invite.getByLabel('Naam van de contactpersoon').fill('Gerda Gast')
    await invite.getByLabel('E-mailadres').fill('gerda@zorgbelang.example')
    await invite.getByRole('button', { name: 'Uitnodigen' }).click()
    const box = page.locator('#invite-link-box')
    await box.getByText('Deze link wordt maar één keer getoond.').waitFor()
    guestLink = await page.locator('#invite-link').inputValue()
    assert.match(guestLink, /\/gast\/[A-Za-z0-9_-]{20,}$/)
    await page.locator('#invitee-table tr', { hasText: GUEST_ORG }).waitFor()
    await checkAccessibility(page, 'consultation with the once-shown link')
    await shot(page, 'consent-consultation-invite', { full: true })
    // shown once: after a reload the link is gone
    await page.reload()
    await page.locator('#invitee-table tr', { hasText: GUEST_ORG }).waitFor()
    assert.equal(await page.locator('#invite-link').count(), 0)
    assertNoConsoleErrors(A, 'consultation')
  })

  step('the guest opens the link, sees only the consultation and responds with a comment and an attachment', async () => {
    const G = await newPersonPage(suite.browser, suite.server.base)
    G.allowConsoleError(httpStatusLogged(401, '/api/me'))
    const { page } = G
    await page.goto(new URL(guestLink).pathname)
    await page.waitForURL(`**${consultationPath}`)
    await page.getByRole('heading', { level: 1, name: CONSULTATION }).waitFor()
    assert.equal(await page.locator('.main-nav').isVisible(), false, 'a guest has no navigation')
    await page.locator('#consultation-question', { hasText: 'Herkent u zich' }).waitFor()
    const text = page.locator('#consultation-text')
    await text.locator('p').first().waitFor()
    // the language switch works for guests too
    await page.getByRole('button', { name: 'Switch to English' }).click()
    await page.getByRole('heading', { level: 2, name: 'Respond' }).waitFor()
    await checkAccessibility(page, 'guest consultation (English)')
    await page.getByRole('button', { name: 'Wissel naar Nederlands' }).click()
    await page.getByRole('heading', { level: 2, name: 'Reageren' }).waitFor()

    await page.getByLabel('Reactie van je organisatie').fill('Wij herkennen ons in de werkwijze, met één kanttekening.')
    await page.getByRole('button', { name: 'Opmerking toevoegen' }).click()
    const paragraph = text.locator('p', { hasText: /\w{4,}/ }).first()
    await paragraph.click({ clickCount: 3 })
    await page.getByRole('button', { name: 'Selectie als citaat overnemen' }).click()
    const quote = await page.getByLabel('Citaat (optioneel)').inputValue()
    assert.ok(quote.length > 10, `a quote from the version: ${quote}`)
    await page.getByLabel('Opmerking', { exact: true }).fill('Betrek ook de patiëntenorganisaties in de regio.')
    await page.getByLabel('Bijlage (optioneel)').setInputFiles({ name: 'toelichting.txt', mimeType: 'text/plain', buffer: Buffer.from('Toelichting van de stichting.\n') })
    await page.getByText('ten hoogste 10 MB').waitFor()
    await checkAccessibility(page, 'guest response form')
    await shot(page, 'consent-guest-form', { full: true })
    await page.getByRole('button', { name: 'Reactie indienen' }).click()
    await page.locator('#announcer', { hasText: 'Je reactie is ingediend.' }).waitFor()
    const mine = page.locator('#my-response article')
    await mine.getByText('Betrek ook de patiëntenorganisaties').waitFor()
    await mine.locator('blockquote', { hasText: quote.slice(0, 20) }).waitFor()
    await mine.getByText('toelichting.txt').waitFor()
    await checkAccessibility(page, 'guest after responding')
    await shot(page, 'consent-guest-responded', { full: true })
    // other screens are not for guests
    await page.goto('/')
    await page.locator('#guest-only').waitFor()
    assertNoConsoleErrors(G, 'guest')
    await G.context.close()
  })

  step('the secretariat sees the response and downloads the report as PDF and DOCX', async () => {
    const { page } = B
    await switchPerson(B, secretariat)
    await page.goto(consultationPath)
    const response = page.locator('#responses-list article', { hasText: GUEST_ORG })
    await response.waitFor()
    await response.getByText('Betrek ook de patiëntenorganisaties').waitFor()
    await response.getByRole('link', { name: /toelichting\.txt/ }).waitFor()
    await checkAccessibility(page, 'consultation with a response')
    await shot(page, 'consent-consultation-responses', { full: true })
    for (const [id, magic] of [['#report-pdf', '%PDF'], ['#report-docx', 'PK']]) {
      const link = page.locator(id)
      await link.focus()
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
      const path = await download.path()
      const { readFile } = await import('node:fs/promises')
      const bytes = await readFile(path)
      assert.equal(bytes.subarray(0, magic.length).toString('latin1'), magic, `${id} starts with ${magic}`)
      assert.ok(bytes.length > 500, `${id} has content`)
    }
    assertNoConsoleErrors(B, 'secretariat report')
  })
})

/** The open count in the draft's header, once the list has loaded. */
async function headerCount(page) {
  const badge = page.locator('#open-points-badge[data-count]')
  await badge.waitFor()
  const count = Number(await badge.getAttribute('data-count'))
  assert.equal(await badge.innerText(), `Open punten: ${count}`)
  return count
}

// These steps need only the demo's open points, which the steps above leave alone: they sign
// in afresh, compare counts before and after, and run (and stop at a failure) on their own.
describe('open points of the demo draft', { concurrency: false }, () => {
  const pointStep = stepper()
  let pointText

  pointStep('the chair accepts the date proposal with an owner and a due date; the count goes up', async () => {
    const { page } = A
    await switchPerson(A, chair)
    await openDraft(page)
    const before = await headerCount(page)
    // the header's count links to the list
    await page.locator('#open-points-badge').focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(/#open-punten$/)
    const section = page.locator('#open-punten')
    await section.locator('#open-points-summary', { hasText: `${before} open` }).waitFor()
    const proposal = section.locator('li[data-status="voorgesteld"][data-kind="datum"]')
    await proposal.waitFor()
    pointText = (await proposal.locator('.open-point-text').innerText()).trim()
    assert.ok(pointText.includes('uiterlijke datum'), `the [uiterlijke datum] marker: ${pointText}`)
    await proposal.getByLabel('Eigenaar', { exact: true }).selectOption({ label: POINT_OWNER })
    const due = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10)
    await proposal.getByLabel('Uiterste datum').fill(due)
    await checkAccessibility(page, 'open-point proposal with an owner and a due date')
    await proposal.scrollIntoViewIfNeeded()
    await shot(page, 'consent-open-point-proposal')
    await proposal.getByRole('button', { name: 'Overnemen als open punt' }).focus()
    await page.keyboard.press('Enter')
    await page.locator('#announcer', { hasText: 'Het voorstel is overgenomen als open punt.' }).waitFor()
    const accepted = section.locator('li[data-status="open"]', { hasText: pointText })
    await accepted.getByText('Eigenaar: Joost Bakker').waitFor()
    await accepted.locator('.open-point-due').waitFor()
    await page.locator(`#open-points-badge[data-count="${before + 1}"]`).waitFor()
    assert.equal(await headerCount(page), before + 1)
    assertNoConsoleErrors(A, 'accept an open point')
  })

  pointStep('the chair closes the ZN bespreekpunt with a note; the count goes down', async () => {
    const { page } = A
    const before = await headerCount(page)
    const section = page.locator('#open-punten')
    const point = section.locator('li[data-status="open"][data-kind="bespreekpunt"]', { hasText: 'zorgverzekeraars' })
    await point.waitFor()
    const note = point.getByLabel('Notitie bij het sluiten')
    await note.fill(CLOSE_NOTE)
    // from the note, Tab reaches the close button
    await note.focus()
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sluiten')
    await page.keyboard.press('Enter')
    await page.locator('#announcer', { hasText: 'Het open punt is gesloten.' }).waitFor()
    await page.locator(`#open-points-badge[data-count="${before - 1}"]`).waitFor()
    assert.equal(await headerCount(page), before - 1)
    assert.equal(await section.locator('li[data-kind="bespreekpunt"]', { hasText: 'zorgverzekeraars' }).count(), 0, 'a closed point is hidden')
    // shown again with the closed ones, with who closed it and the note
    await section.getByLabel('Ook gesloten en afgewezen punten tonen').focus()
    await page.keyboard.press('Space')
    const closed = section.locator('li[data-status="gesloten"]', { hasText: 'zorgverzekeraars' })
    await closed.getByText(`Gesloten door Anna de Vries. ${CLOSE_NOTE}`).waitFor()
    await checkAccessibility(page, 'open points with a closed one shown')
    await section.scrollIntoViewIfNeeded()
    await shot(page, 'consent-open-points-closed')
    assertNoConsoleErrors(A, 'close an open point')
  })

  pointStep('the new owner finds the open point in the inbox, linked to the draft\'s open points', async () => {
    const { page } = B
    await switchPerson(B, zin)
    await page.goto('/inbox')
    const item = page.locator('.inbox-item[data-kind="open_point"]', { hasText: pointText })
    await item.waitFor({ timeout: 30_000 })
    await item.locator('.inbox-kind', { hasText: 'Open punt' }).waitFor()
    await item.getByText('Eigenaar van dit open punt: jij of je partij').waitFor()
    await item.locator('.inbox-due').waitFor()
    const link = item.getByRole('link', { name: pointText })
    const draftId = draftPath.split('/').pop()
    assert.equal(await link.getAttribute('href'), `/drafts/${draftId}#open-punten`)
    await checkAccessibility(page, 'inbox with an open point')
    await shot(page, 'consent-inbox-open-point', { top: true })
    await link.focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(`**/drafts/${draftId}#open-punten`)
    await page.locator('#open-punten li[data-status="open"]', { hasText: pointText }).waitFor()
    assertNoConsoleErrors(B, 'inbox open point')
  })
})
