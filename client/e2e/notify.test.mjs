// End-to-end: mentions with autocomplete in a draft's comment box, following a draft, and the
// notifications they produce in the other person's inbox. The demo working group, in Chromium
// against a real server. Screenshots → artifacts/screenshots/.
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { checkAccessibility } from './lib/axe.mjs'
import { DEMO_DRAFT, DEMO_GROUP, demoPerson, demoSuite, shot, signIn, stepper } from './lib/suite.mjs'

const chair = demoPerson('anna@vws.demo')
const zin = demoPerson('joost@zin.demo')
const observer = demoPerson('mark@vng.demo')

let A, J, M
let draftPath
demoSuite({
  pages: 3,
  ready: (suite) => {
    ;[A, J, M] = suite.people
  },
})

const step = stepper()

describe('Mentions, following and their notifications', { concurrency: false }, () => {
  step('an observer follows the draft with a toggle button', async () => {
    await signIn(M, observer)
    const { page } = M
    await page.locator('#my-groups a', { hasText: DEMO_GROUP }).click()
    await page.locator('#draft-table').getByRole('link', { name: DEMO_DRAFT }).click()
    await page.waitForURL(/\/drafts\/\d+$/)
    draftPath = new URL(page.url()).pathname
    const follow = page.getByRole('button', { name: 'Volgen' })
    await follow.waitFor()
    await page.locator('.follow-count', { hasText: '0 volgers' }).waitFor()
    assert.equal(await follow.getAttribute('aria-pressed'), 'false')
    await follow.focus()
    await page.keyboard.press('Enter')
    await page.locator('.follow-button[aria-pressed="true"]').waitFor()
    await page.locator('.follow-count', { hasText: 'Je volgt dit' }).waitFor()
    await page.locator('#announcer', { hasText: 'Je volgt dit concept' }).waitFor()
    await checkAccessibility(page, 'draft followed')
    await shot(page, 'draft-follow', { top: true })
  })

  step('typing @ in the comment box suggests people and parties; keyboard picks one', async () => {
    await signIn(A, chair)
    const { page } = A
    await page.goto(draftPath)
    await page.getByRole('heading', { level: 1, name: DEMO_DRAFT }).waitFor()
    const box = page.getByLabel('Nieuwe opmerking')
    await box.click()
    await box.pressSequentially('Graag jouw bron, @Jo')
    const list = page.getByRole('listbox', { name: 'Voorstellen om te noemen' })
    await list.getByRole('option', { name: /Joost Bakker/ }).waitFor()
    assert.equal(await box.getAttribute('aria-autocomplete'), 'list')
    assert.ok((await box.getAttribute('aria-activedescendant'))?.length)
    await checkAccessibility(page, 'mention suggestions')
    await list.scrollIntoViewIfNeeded()
    await shot(page, 'draft-mention-suggestions', { top: false })
    await page.keyboard.press('Enter')
    assert.equal(await box.inputValue(), 'Graag jouw bron, @Joost Bakker ')
    await list.waitFor({ state: 'hidden' })
    // and a party by its code
    await box.pressSequentially('en @FM')
    await list.getByRole('option', { name: /Partij FMS/ }).waitFor()
    // Fatima (FMS) first, then the party: down, down wraps to the top, up is the party
    await list.getByRole('option', { name: /Fatima El Amrani/ }).waitFor()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    assert.equal(await list.locator('[aria-selected="true"]').innerText().then((text) => text.includes('Partij FMS')), true)
    await page.keyboard.press('Enter')
    assert.equal(await box.inputValue(), 'Graag jouw bron, @Joost Bakker en @FMS ')
    await page.getByRole('button', { name: 'Plaatsen' }).click()
    const thread = page.locator('.thread', { hasText: 'Graag jouw bron' })
    await thread.getByText('Genoemd: Joost Bakker, FMS').waitFor()
    await page.locator('#announcer', { hasText: 'Je opmerking is geplaatst.' }).waitFor()
  })

  step('the mentioned person finds the mention in the inbox, live', async () => {
    await signIn(J, zin)
    const { page } = J
    await page.goto('/inbox')
    const item = page.locator('.inbox-item[data-kind="mention"]', { hasText: DEMO_DRAFT })
    await item.waitFor({ timeout: 30_000 })
    await item.getByText('door Anna de Vries').waitFor()
    await item.getByRole('link', { name: DEMO_DRAFT }).waitFor()
    await checkAccessibility(page, 'inbox with a mention')
    await shot(page, 'inbox-mention', { top: true })
  })

  step('a status change reaches the follower of an informed party', async () => {
    const { page } = A
    await page.goto(draftPath)
    await page.getByRole('button', { name: 'Consultatie openen' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    await dialog.locator('#flow-confirm').click()
    await page.locator('.flow-current[data-status="consultatie"]').waitFor()
    await M.page.goto('/inbox')
    const item = M.page.locator('.inbox-item[data-kind="status_change"]', { hasText: DEMO_DRAFT })
    await item.waitFor({ timeout: 30_000 })
    await item.getByText('Nu: consultatie').waitFor()
    await checkAccessibility(M.page, 'inbox with a status change')
    await shot(M.page, 'inbox-status-change', { top: true })
  })
})
