// The working-group screen, /groups/{id}: members by party (party colours, role badges,
// mandate), the advice drafts with their status, a new draft for the chair and secretariat, and
// sections for role agreements, action lines and disputes that fill in once the server offers
// them (until then they say so).
import { directory, drafts, type Body, type Draft, type Member, type Party } from '../api'
import type { App } from '../app'
import { t, tr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { busy, dateText, field, loading, messageBox, partyChip, roleBadge, section, statusChip } from '../ui/widgets'
import { templateInputs } from './draft/template'
import { actionLinesSection, disputesSection, roleAgreementsSection } from './governance'
import { meetingsSection } from './meetings/body-section'

export const KIND_KEYS: Record<string, MessageKey> = {
  working_group: 'kind.working_group',
  sub_group: 'kind.sub_group',
  theme_table: 'kind.theme_table',
  directors_day: 'kind.directors_day',
  bo_iza: 'kind.bo_iza',
  minister: 'kind.minister',
}

const ROLE_ORDER = { chair: 0, secretariat: 1, member: 2, observer: 3 } as const

function membersByParty(body: Body, members: Member[], parties: Map<string, Party>): HTMLElement {
  const codes = [...new Set([...body.parties.map((p) => p.code), ...members.map((m) => m.party ?? '—')])]
  const participation = new Map(body.parties.map((p) => [p.code, p.participation]))
  const list = h('ul', { class: 'party-grid', id: 'members-by-party' })
  for (const code of codes) {
    const party = parties.get(code)
    const people = members.filter((m) => (m.party ?? '—') === code).sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name))
    const card = h('li', { class: 'party-card', 'data-party': code })
    card.style.borderTopColor = party?.colour ?? '#767676'
    card.append(
      h('h3', { class: 'party-card-title' }, partyChip(code, party?.colour), ' ', h('span', { class: 'party-name' }, party?.name ?? '')),
    )
    if (participation.get(code) === 'informed') card.append(tr(h('p', { class: 'hint' }), 'group.informed'))
    if (people.length === 0) card.append(tr(h('p', { class: 'muted' }), 'group.noPeople'))
    else
      card.append(
        h(
          'ul',
          { class: 'member-list' },
          ...people.map((m) =>
            h(
              'li',
              { 'data-person': String(m.person_id) },
              h('span', { class: 'member-name' }, m.name),
              ' ',
              roleBadge(m.role),
              m.holds_mandate ? tr(h('span', { class: 'mandate', title: t('group.mandateHint') }), 'group.mandate') : null,
            ),
          ),
        ),
      )
    list.append(card)
  }
  return list
}

function draftTable(items: Draft[]): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted' }), 'group.noDrafts')
  const head = h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), 'group.draftTitle'), tr(h('th', { scope: 'col' }), 'group.draftStatus'), tr(h('th', { scope: 'col' }), 'group.draftUpdated')))
  const body = h(
    'tbody',
    {},
    ...items.map((draft) =>
      h(
        'tr',
        { 'data-draft': String(draft.id) },
        h('td', {}, h('a', { href: `/drafts/${draft.id}`, 'data-link': true }, draft.title)),
        h('td', {}, statusChip(draft.status)),
        h('td', {}, dateText(draft.updated_at)),
      ),
    ),
  )
  return h('table', { class: 'table', id: 'draft-table' }, tr(h('caption', { class: 'visually-hidden' }), 'group.draftsTitle'), head, body)
}

function createDraftForm(app: App, bodyId: number): HTMLElement {
  const title = h('input', { type: 'text', id: 'new-draft-title', required: true, autocomplete: 'off' })
  const inputs = templateInputs('new-draft')
  const errors = messageBox()
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'group.createDraft')
  const form = h(
    'form',
    { novalidate: true, class: 'stack' },
    errors.element,
    field('group.newDraftTitle', title),
    h('fieldset', {}, tr(h('legend', {}), 'group.templateLegend'), ...inputs.fields),
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!title.value.trim()) {
      errors.text('error.required', { field: t('group.newDraftTitle') })
      title.setAttribute('aria-invalid', 'true')
      title.focus()
      return
    }
    void busy(submit, async () => {
      try {
        const draft = await drafts.createDraft(bodyId, { title: title.value.trim(), template: inputs.read() })
        announce(t('group.draftCreated'))
        app.navigate(`/drafts/${draft.id}`)
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return h('details', { class: 'create-draft', id: 'create-draft' }, tr(h('summary', {}), 'group.newDraft'), form)
}

export function groupScreen(app: App, bodyId: number): Screen {
  let title = t('group.title')
  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      let body: Body
      let members: Member[]
      let draftItems: Draft[]
      let parties: Party[]
      try {
        ;[body, members, draftItems, parties] = await Promise.all([
          directory.getBody(bodyId),
          directory.listMembers(bodyId),
          drafts.listDrafts(bodyId),
          directory.listParties(),
        ])
      } catch (error) {
        title = t('group.title')
        main.replaceChildren(tr(h('h1', {}), 'group.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = body.name
      const partyMap = new Map(parties.map((p) => [p.code, p]))
      const myRole = members.find((m) => m.person_id === me.id)?.role ?? null
      const lead = myRole === 'chair' || myRole === 'secretariat'

      const draftsSection = section('drafts', 'group.draftsTitle', draftTable(draftItems), lead ? createDraftForm(app, bodyId) : null)
      main.replaceChildren(
        h('p', { class: 'back' }, tr(h('a', { href: '/', 'data-link': true }), 'group.back')),
        h('h1', {}, body.name),
        h(
          'p',
          { class: 'lead' },
          tr(h('span', {}), KIND_KEYS[body.kind] ?? 'kind.other'),
          myRole ? h('span', {}, ' · ', tr(h('span', {}), 'group.yourRole'), ' ', roleBadge(myRole)) : null,
        ),
        draftsSection,
        section('members', 'group.membersTitle', membersByParty(body, members, partyMap)),
      )
      // the body's settings: its chair, secretariat and administrators
      if (lead || me.is_admin) {
        draftsSection.before(h('p', { class: 'group-settings-link' }, tr(h('a', { href: `/groups/${bodyId}/settings`, 'data-link': true, id: 'group-settings-link' }), 'bodySettings.link')))
      }
      main.append(meetingsSection(app, bodyId, lead), roleAgreementsSection(bodyId, me, members, app), actionLinesSection(bodyId, lead), disputesSection(bodyId))
    },
  }
}
