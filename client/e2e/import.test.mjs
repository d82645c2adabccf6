// End-to-end: the secretariat imports a milestone table as parties keep it, with heading rows
// (numbered, italic, bold) and party names the register does not know. The dry run shows the
// headings as a tree; one unknown name is mapped to an existing party and one becomes a new
// party (errors shown at the field first); the table is committed and the programme dashboard
// shows the milestones under their headings. Screenshots → artifacts/screenshots/import-*.png.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { httpStatusLogged } from './lib/browser.mjs'
import { DEMO_GROUP, demoPerson, demoSuite, shot, stepper } from './lib/suite.mjs'

const secretariat = demoPerson('bram@vws.demo')
const TABLE = [
  'Onderwerp;Gereed;Verantwoordelijke;Status',
  '2.3 Pakketbeheer;;;',
  'Advies pakketbeheer ingediend;Q3 2026;<u>ZIN</u>, Zorginstituut NL;gepland',
  '*Geneesmiddelen*;;;',
  'Sluisprocedure herzien;eind 2026;<u>VWS</u>, NZa;',
  '2.3.1 Dure middelen;;;',
  'Horizonscan dure middelen;Q1 2027;<u>ZIN</u>, NZa;',
  '**Overig**;;;',
  'Evaluatie werkwijze;2028;<u>VWS</u>;',
  '',
].join('\n')

let tableFile, groupPath, person
demoSuite({
  pages: 1,
  ready: (suite) => {
    ;[person] = suite.people
  },
  async prepare(dataDir) {
    tableFile = join(dataDir, 'planning-pakketbeheer.csv')
    await writeFile(tableFile, TABLE)
  },
})

const step = stepper()

describe('importing a table with heading rows and unknown parties', { concurrency: false }, () => {
  step('the secretariat opens the import wizard of the demo group', async () => {
    const { page } = person
    await page.goto('/')
    await page.waitForURL('**/sign-in')
    await page.getByLabel('E-mailadres').fill(secretariat.email)
    await page.getByLabel('Wachtwoord').fill(secretariat.password)
    await page.getByRole('button', { name: 'Inloggen' }).click()
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    groupPath = new URL(page.url()).pathname
    await page.locator('#import-link').click()
    await page.getByRole('heading', { level: 1, name: 'Mijlpalen importeren' }).waitFor()
  })

  step('the dry run shows the headings as a tree and lists the unknown parties per row', async () => {
    const { page } = person
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(tableFile)
    await page.getByRole('button', { name: 'Proefimport' }).click()
    await page.locator('#import-summary', { hasText: 'rows: 9, milestones: 4' }).waitFor()
    const tree = page.locator('#import-action-lines')
    await tree.locator('li[data-key="2.3"] > .import-heading', { hasText: '2.3 Pakketbeheer' }).waitFor()
    await tree.locator('li[data-key="2.3"] li[data-key="2.3/geneesmiddelen"]', { hasText: 'Geneesmiddelen' }).waitFor()
    await tree.locator('li[data-key="2.3"] li[data-key="2.3.1"]', { hasText: '(regel 6, 1 mijlpaal)' }).waitFor()
    await tree.locator(':scope > li[data-key="overig"]').waitFor()
    await page.locator('#import-milestones tr[data-line="5"]', { hasText: '2.3 Pakketbeheer › Geneesmiddelen' }).waitFor()
    assert.equal(await page.locator('#import-milestones tbody tr').count(), 4, 'heading rows are not milestones')
    const unknown = page.locator('#import-unknown-parties')
    await unknown.locator('legend', { hasText: '“Zorginstituut NL” (regel 3)' }).waitFor()
    await unknown.locator('legend', { hasText: '“NZa” (regel 5, 7)' }).waitFor()
    await checkAccessibility(page, 'import dry run with headings and unknown parties')
    await page.locator('#import-action-lines').scrollIntoViewIfNeeded()
    await shot(page, 'import-headings')
    await unknown.scrollIntoViewIfNeeded()
    await shot(page, 'import-unknown-parties')
  })

  step('an unknown name is mapped to a party by keyboard; a choice left open is shown at the field', async () => {
    const { page } = person
    const form = page.locator('form.unknown-party[data-unknown="Zorginstituut NL"]')
    await form.getByRole('button', { name: 'Vastleggen' }).click()
    const select = form.getByLabel('Welke partij is dit?')
    await form.getByRole('alert').getByText('Kies een partij of maak een nieuwe aan.').waitFor()
    assert.equal(await select.getAttribute('aria-invalid'), 'true')
    const described = (await select.getAttribute('aria-describedby')) ?? ''
    const errorId = await form.locator('.field-error').getAttribute('id')
    assert.ok(described.split(' ').includes(errorId), 'the error is linked to the field')
    assert.ok(await select.evaluate((el) => el === document.activeElement), 'focus is on the field in error')
    await checkAccessibility(page, 'import unknown party error')
    await shot(page, 'import-party-error')

    await select.focus()
    await select.selectOption('ZIN')
    await page.keyboard.press('Tab')
    const save = form.getByRole('button', { name: 'Vastleggen' })
    assert.ok(await save.evaluate((el) => el === document.activeElement), 'Tab moves from the choice to its button')
    await page.keyboard.press('Enter')
    await page.locator('#import-unknown-parties legend', { hasText: 'Zorginstituut NL' }).waitFor({ state: 'detached' })
    await page.locator('#announcer', { hasText: '“Zorginstituut NL” hoort nu bij ZIN.' }).waitFor()
  })

  step('another name becomes a new party; a server error is shown at its field first', async () => {
    const { page } = person
    const form = page.locator('form.unknown-party[data-unknown="NZa"]')
    await form.getByLabel('Welke partij is dit?').selectOption('__new')
    const code = form.getByLabel('Code', { exact: true })
    assert.equal(await code.inputValue(), 'NZA', 'the code is suggested from the name')
    await code.fill('N!')
    const allow = person.allowConsoleError(httpStatusLogged(422, '/imports/parties'))
    await form.getByRole('button', { name: 'Vastleggen' }).click()
    await form.locator('.field-error', { hasText: 'create.code' }).waitFor()
    assert.equal(await code.getAttribute('aria-invalid'), 'true')
    allow()
    await code.fill('NZA')
    await form.getByLabel('Volledige naam').fill('Nederlandse Zorgautoriteit')
    await form.getByRole('button', { name: 'Vastleggen' }).click()
    await page.locator('#import-unknown-parties').waitFor({ state: 'detached' })
    await page.locator('#announcer', { hasText: 'Partij NZA is aangemaakt voor “NZa”.' }).waitFor()
    await page.locator('#import-flagged tbody tr').first().or(page.locator('#import-flagged .muted')).waitFor()
    assert.equal(await page.locator('#import-flagged tbody tr', { hasText: 'NZa' }).count(), 0, 'NZa is known now')
    await checkAccessibility(page, 'import with every party resolved')
    await page.locator('#import-step-report').scrollIntoViewIfNeeded()
    await shot(page, 'import-resolved')
  })

  step('commit: the programme shows the milestones grouped under their headings', async () => {
    const { page } = person
    await page.getByRole('button', { name: 'Importeren', exact: true }).click()
    const done = page.locator('#import-done')
    await done.waitFor()
    assert.match(await done.innerText(), /Geïmporteerd: 4 nieuwe mijlpalen, 0 bijgewerkt, 4 nieuwe actielijnen/)
    await checkAccessibility(page, 'import done')
    await shot(page, 'import-done-headings')

    const bodyApi = `/api${groupPath.replace('/groups/', '/bodies/')}`
    const lines = (await (await person.context.request.get(`${bodyApi}/action-lines?limit=200`)).json()).items
    const pakket = lines.find((l) => l.title === '2.3 Pakketbeheer')
    const genees = lines.find((l) => l.title === 'Geneesmiddelen')
    assert.equal(pakket.number, '2.3')
    assert.equal(genees.parent_id, pakket.id, 'the italic heading is a sub-line of 2.3')
    const milestones = (await (await person.context.request.get(`${bodyApi}/milestones?limit=200`)).json()).items
    const sluis = milestones.find((m) => m.title === 'Sluisprocedure herzien')
    assert.equal(sluis.action_line_id, genees.id)
    assert.deepEqual(sluis.owners.map((o) => o.code).sort(), ['NZA', 'VWS'])

    await page.locator('#import-to-programme').click()
    await page.getByRole('heading', { level: 1, name: /^Programma: / }).waitFor()
    await page.locator('#timeline tr', { hasText: '2.3 Pakketbeheer' }).filter({ hasText: 'Advies pakketbeheer ingediend' }).waitFor()
    await page.locator('#timeline tr', { hasText: 'Geneesmiddelen' }).filter({ hasText: 'Sluisprocedure herzien' }).waitFor()
    await page.locator('#timeline tr', { hasText: '2.3.1 Dure middelen' }).filter({ hasText: 'Horizonscan dure middelen' }).waitFor()
    await page.locator('#timeline tr', { hasText: 'Overig' }).filter({ hasText: 'Evaluatie werkwijze' }).waitFor()
    await checkAccessibility(page, 'programme with imported headings')
    await page.locator('#timeline').scrollIntoViewIfNeeded()
    await shot(page, 'import-programme')
    assert.deepEqual(person.consoleErrors, [], 'no unexpected console errors')
  })
})
