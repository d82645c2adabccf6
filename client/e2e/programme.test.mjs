// End-to-end: the programme team keeps its action lines and milestones in the browser. The
// secretariat (Bram, VWS) creates an action line and a milestone with a fuzzy due date, then
// reschedules a ZIN milestone by agreement: the dashboard, the history and the next reminder
// follow the new date. A ZIN member (Joost) adds a progress note and changes a status from the
// dashboard. Filters live in the URL; the CSV and calendar exports are offered. axe runs on
// every screen; screenshots go to artifacts/screenshots/.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { DEMO_GROUP, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const bram = demoPerson('bram@vws.demo')
const joost = demoPerson('joost@zin.demo')
// a ZIN milestone of the demo's advice planning, due Q2 2025 (so late) and on track
const MOVED = 'per (deel)sector een gedragen proces'

let S, Z
let bodyId, programmePath, movedId
demoSuite({
  pages: 2,
  ready: (suite) => {
    ;[S, Z] = suite.people
  },
})

const step = stepper()

describe('the programme in the browser', { concurrency: false }, () => {
  step('the secretariat opens the dashboard: filters, exports, create links', async () => {
    const { page } = S
    await signIn(S, bram)
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    bodyId = Number(new URL(page.url()).pathname.split('/')[2])
    programmePath = `/groups/${bodyId}/programme`
    await page.goto(programmePath)
    await page.getByRole('heading', { level: 1, name: /^Programma: / }).waitFor()
    for (const label of ['Partij', 'Actielijn', 'Status', 'Periode']) await page.getByLabel(label, { exact: true }).waitFor()
    await page.getByRole('link', { name: 'Exporteren als CSV' }).waitFor()
    await page.getByRole('button', { name: 'Agenda-feed (iCal) maken' }).waitFor()
    await page.locator('#milestone-table').waitFor()
    const all = await page.locator('#milestone-table tbody tr').count()
    assert.ok(all > 5, `the demo's milestones are listed (${all})`)

    // filters go into the URL (shareable) and narrow the list; the CSV link follows them
    await page.getByLabel('Status', { exact: true }).selectOption('gereed')
    await page.waitForURL(/status=gereed/)
    await page.locator('#filter-state', { hasText: 'voldoen aan de filters' }).waitFor()
    const done = await page.locator('#milestone-table tbody tr').count()
    assert.ok(done > 0 && done < all, `the status filter narrows the list (${done} of ${all})`)
    assert.match(await page.locator('#csv-export').getAttribute('href'), /milestones\.csv\?status=gereed/)
    const csv = await page.context().request.get(await page.locator('#csv-export').getAttribute('href'))
    assert.equal(csv.status(), 200)
    assert.match(await csv.text(), /^id,actielijn,onderwerp/)
    await page.getByLabel('Periode', { exact: true }).fill('Q3')
    await page.getByRole('button', { name: 'Filter toepassen' }).click()
    const period = page.getByLabel('Periode', { exact: true })
    await page.locator('#period-filter[aria-invalid="true"]').waitFor()
    assert.match(await period.getAttribute('aria-describedby'), /period-filter-error/)
    await checkAccessibility(page, 'programme with a field error')
    await period.fill('2025-Q3')
    await page.getByRole('button', { name: 'Filter toepassen' }).click()
    await page.waitForURL(/period=2025-Q3/)
    assert.equal(await period.getAttribute('aria-invalid'), null)
    // the shared URL opens the same view
    await page.goto(`${programmePath}?status=gereed&period=2025-Q3`)
    await page.locator('#milestone-table').waitFor()
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'gereed')
    assert.equal(await page.getByLabel('Periode', { exact: true }).inputValue(), '2025-Q3')
    await page.goto(programmePath)
    await page.locator('#milestone-table').waitFor()
    await checkAccessibility(page, 'programme dashboard')
    await shot(page, 'programme-dashboard', { top: true, full: true })
  })

  step('the secretariat creates an action line and edits it', async () => {
    const { page } = S
    await page.getByRole('link', { name: 'Nieuwe actielijn' }).click()
    await page.getByRole('heading', { level: 1, name: 'Nieuwe actielijn' }).waitFor()
    await page.getByRole('button', { name: 'Actielijn aanmaken' }).click()
    await page.locator('#line-title[aria-invalid="true"]').waitFor()
    await checkAccessibility(page, 'action line form with an error')
    await page.getByLabel('Nummer').fill('5')
    await page.getByLabel('Titel').fill('Samenwerking met de regio')
    await page.getByLabel('Omschrijving').fill('Afspraken met gemeenten en zorgkantoren.')
    await page.getByLabel('ZIN — ', { exact: false }).selectOption('lead')
    await page.getByLabel('VNG — ', { exact: false }).selectOption('contributor')
    await checkAccessibility(page, 'action line form')
    await shot(page, 'action-line-form', { top: true })
    await page.getByRole('button', { name: 'Actielijn aanmaken' }).click()
    await page.getByRole('heading', { level: 1, name: /^Programma: / }).waitFor()
    const item = page.locator('#action-line-list li', { hasText: '5 Samenwerking met de regio' })
    await item.waitFor()
    await item.getByText('(trekker)').waitFor()
    await item.getByRole('link', { name: /bewerken/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Actielijn bewerken' }).waitFor()
    assert.equal(await page.getByLabel('Nummer').inputValue(), '5')
    await page.getByLabel('Nummer').fill('5.1')
    await page.getByLabel('Titel').fill('Samenwerking met regio en gemeenten')
    await checkAccessibility(page, 'action line edit form')
    await shot(page, 'action-line-edit', { top: true })
    await page.getByRole('button', { name: 'Opslaan' }).click()
    await page.locator('#action-line-list li', { hasText: '5.1 Samenwerking met regio en gemeenten' }).waitFor()
  })

  step('the secretariat creates a milestone with a fuzzy date, its reading shown live', async () => {
    const { page } = S
    await page.getByRole('link', { name: 'Nieuwe mijlpaal' }).click()
    await page.getByRole('heading', { level: 1, name: 'Nieuwe mijlpaal' }).waitFor()
    await page.getByLabel('Titel').fill('Regionale afspraken vastgelegd')
    const due = page.getByLabel('Gereed (uiterste datum)')
    await due.fill('Q3 2025')
    await page.locator('#ms-due-preview', { hasText: '1 juli 2025 t/m 30 september 2025 (kwartaal)' }).waitFor()
    await due.fill('medio 2027')
    await page.locator('#ms-due-preview[data-precision]', { hasText: '2027' }).waitFor()
    await due.fill('?')
    await page.locator('#ms-due-preview', { hasText: 'onbekend' }).waitFor()
    await due.fill('najaar 2027')
    await page.locator('#ms-due-preview', { hasText: '30 november 2027 (seizoen)' }).waitFor()
    await page.getByLabel('ZIN — ', { exact: false }).selectOption('lead')
    await page.getByLabel('FMS — ', { exact: false }).selectOption('contributor')
    await page.getByLabel('Actielijn').selectOption({ label: '5.1 Samenwerking met regio en gemeenten' })
    await page.getByLabel('Bron').fill('Advies Beter pakketbeheer §4')
    await page.getByLabel('Advies', { exact: true }).selectOption({ index: 1 })
    await page.getByLabel('Passage (citaat)').fill('De regio maakt afspraken met de zorgkantoren.')
    await checkAccessibility(page, 'milestone form')
    await shot(page, 'milestone-form', { top: true, full: true })
    await page.getByRole('button', { name: 'Mijlpaal aanmaken' }).click()
    await page.getByRole('heading', { level: 1, name: 'Regionale afspraken vastgelegd' }).waitFor()
    await page.locator('#milestone-due', { hasText: 'najaar 2027' }).waitFor()
    await page.locator('#milestone-source', { hasText: 'Advies Beter pakketbeheer §4' }).waitFor()
    await page.locator('#milestone-link-list blockquote', { hasText: 'De regio maakt afspraken' }).waitFor()
    await page.locator('#milestone-actions').waitFor({ state: 'attached' })
    await checkAccessibility(page, 'new milestone')
  })

  step('the secretariat reschedules a ZIN milestone by agreement; dashboard, history and reminder follow', async () => {
    const { page } = S
    await page.goto(programmePath)
    const row = page.locator('#milestone-table tbody tr', { hasText: MOVED })
    await row.waitFor()
    movedId = Number(await row.getAttribute('data-milestone'))
    assert.ok(await page.locator(`#late [data-milestone="${movedId}"]`).count(), 'the milestone is late before it moves')
    await row.getByRole('link').first().click()
    await page.getByRole('heading', { level: 1, name: new RegExp(MOVED.replace(/[()]/g, '\\$&')) }).waitFor()
    await page.locator('#milestone-due', { hasText: 'Q225' }).waitFor()
    await page.locator('#milestone-actions').waitFor({ state: 'attached' })
    await checkAccessibility(page, 'milestone detail')
    await shot(page, 'milestone-detail', { top: true })

    await page.getByLabel('Nieuwe status', { exact: true }).selectOption('verschoven')
    const newDue = page.getByLabel('Nieuw afgesproken datum')
    await newDue.waitFor()
    // a rescheduling without its reason is refused at the field
    await newDue.fill('1-3-2027')
    await page.locator(`#detail-${movedId}-new-due-preview`, { hasText: '1 maart 2027' }).waitFor()
    await page.getByRole('button', { name: 'Status wijzigen' }).click()
    await page.locator(`#detail-${movedId}-reason[aria-invalid="true"]`).waitFor()
    await checkAccessibility(page, 'rescheduling with an error')
    await shot(page, 'milestone-reschedule', { top: true })
    await page.getByLabel('Reden').fill('De onderzoeksagenda’s per deelsector zijn later klaar.')
    await page.getByLabel('Afgesproken met').fill('ZIN, FMS en NFU (werkgroep 12 november)')
    await page.getByRole('button', { name: 'Status wijzigen' }).click()
    await page.locator('#milestone-status [data-state="verschoven"]').waitFor()
    await page.locator('#milestone-due', { hasText: '1-3-2027' }).waitFor()
    // the history: who, when, the old and the new date, the reason and with whom
    const change = page.locator('#milestone-history tr[data-to="verschoven"]')
    await change.waitFor()
    const text = await change.innerText()
    assert.match(text, /Bram Jansen/)
    assert.match(text, /Q225 → 1-3-2027/)
    assert.match(text, /afgesproken met ZIN, FMS en NFU/)
    // the next reminder follows the new date: 14 working days before Monday 1 March 2027
    const next = page.locator('#milestone-reminder [data-on]').first()
    assert.equal(await next.getAttribute('data-on'), '2027-02-09')
    await page.locator('#milestone-reminder', { hasText: '9 februari 2027 (14 werkdagen vooraf)' }).waitFor()
    await page.locator('#milestone-overdue-dispute[data-on="2027-03-15"]').waitFor()
    await checkAccessibility(page, 'milestone rescheduled')
    await shot(page, 'milestone-rescheduled', { top: true, full: true })

    // the dashboard follows: no longer late, the new date in its row, in Q1 2027 on the timeline
    await page.getByRole('link', { name: /Terug naar het programma/ }).click()
    const moved = page.locator(`#milestone-table tbody tr[data-milestone="${movedId}"]`)
    await moved.waitFor()
    assert.match(await moved.innerText(), /1-3-2027/)
    assert.equal(await moved.locator('[data-state="verschoven"]').count(), 1)
    assert.equal(await page.locator(`#late [data-milestone="${movedId}"]`).count(), 0, 'no longer late')
    const column = await page.locator('#timeline thead th').allInnerTexts()
    assert.ok(column.includes('2027 Q1'), `the timeline has Q1 2027 (${column.join(', ')})`)
    await shot(page, 'programme-after-reschedule', { top: true, full: true })
  })

  step('a ZIN member adds a progress note, follows the milestone, raises a dispute from it and changes a status from the dashboard row', async () => {
    const { page } = Z
    await signIn(Z, joost)
    await page.goto(`/milestones/${movedId}`)
    await page.getByRole('heading', { level: 2, name: 'Voortgang' }).waitFor()
    await page.getByRole('button', { name: 'Notitie toevoegen' }).click()
    await page.locator('#note-body[aria-invalid="true"]').waitFor()
    await page.getByLabel('Voortgangsnotitie').fill('Conceptagenda langdurige zorg besproken met de NFU.')
    await page.getByRole('button', { name: 'Notitie toevoegen' }).click()
    const note = page.locator('#milestone-notes li', { hasText: 'Conceptagenda langdurige zorg' })
    await note.waitFor()
    assert.match(await note.innerText(), /Joost Bakker/)
    await checkAccessibility(page, 'milestone with a note (ZIN member)')
    await shot(page, 'milestone-note', { top: true, full: true })
    // no edit link for a member; the status may be changed (ZIN owns it)
    assert.equal(await page.locator('#edit-milestone').count(), 0)

    // the member follows the milestone, and raises a dispute from it that links back
    const follow = page.locator('#milestone-actions').getByRole('button', { name: 'Volgen' })
    await page.locator('#milestone-actions .follow-button:not([disabled])').waitFor()
    await follow.click()
    await page.locator('#milestone-actions .follow-button[aria-pressed="true"]').waitFor()
    await page.locator('#milestone-actions').getByRole('button', { name: 'Geschil melden' }).click()
    const dialog = page.locator('#raise-dispute-dialog')
    await dialog.getByLabel('Titel van het geschil').fill('Planning langdurige zorg')
    await dialog.getByLabel('Waar gaat het verschil van inzicht over?').fill('De nieuwe datum is voor de NFU niet haalbaar.')
    await checkAccessibility(page, 'raise a dispute about a milestone')
    await dialog.getByRole('button', { name: 'Geschil melden' }).click()
    await page.waitForURL(/\/disputes\/\d+$/)
    assert.equal(await page.locator('#dispute-subject-link').getAttribute('href'), `/milestones/${movedId}`)
    await page.goto(`/milestones/${movedId}`)
    await page.locator('#milestone-actions .follow-button[aria-pressed="true"]').waitFor()

    await page.goto(`/groups/${bodyId}/programme?party=ZIN`)
    const row = page.locator(`#milestone-table tbody tr[data-milestone="${movedId}"]`)
    await row.waitFor()
    await row.getByLabel(/^Nieuwe status voor/).selectOption('op_koers')
    await row.getByRole('button', { name: /^Status wijzigen van/ }).click()
    await page.locator(`#milestone-table tbody tr[data-milestone="${movedId}"] .row-status [data-state="op_koers"]`).waitFor()
    await checkAccessibility(page, 'programme dashboard (ZIN member)')
    await shot(page, 'programme-member', { top: true })
    // the calendar export for the member's own party
    await page.getByRole('button', { name: 'Agenda-feed (iCal) maken' }).click()
    const url = await page.getByLabel('Adres van de agenda-feed').inputValue()
    assert.match(url, /\/api\/calendar\/.+/)
    const feed = await page.context().request.get(url)
    assert.equal(feed.status(), 200)
    assert.match(await feed.text(), /BEGIN:VCALENDAR/)
    assert.deepEqual(Z.consoleErrors, [])
    assert.deepEqual(S.consoleErrors.filter((e) => !/status of 422/.test(e.text)), [])
  })
})
