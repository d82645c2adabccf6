// Administration (administrators): parties, people, bodies and memberships, the audit log.
import { account, directory, type AuditEntry, type Body, type BodyRole, type Member, type Party, type Person } from '../api'
import type { App } from '../app'
import { t, tr, trAttr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { confirmRemovePerson } from '../ui/remove-person'
import { h } from '../ui/dom'
import { busy, checkboxField, dateText, field, loading, messageBox, partyChip, ROLE_KEYS, section, select } from '../ui/widgets'
import { KIND_KEYS } from './group'

function table(captionKey: MessageKey, columns: MessageKey[], rows: HTMLTableRowElement[], id: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table', id },
      tr(h('caption', { class: 'visually-hidden' }), captionKey),
      h('thead', {}, h('tr', {}, ...columns.map((key) => tr(h('th', { scope: 'col' }), key)))),
      h('tbody', {}, ...rows),
    ),
  )
}

const codes = (text: string): string[] =>
  text
    .split(/[,\s]+/)
    .map((code) => code.trim())
    .filter(Boolean)

function required(errors: ReturnType<typeof messageBox>, pairs: [HTMLInputElement, MessageKey][]): boolean {
  for (const [input, label] of pairs) {
    if (!input.value.trim()) {
      errors.text('error.required', { field: t(label) })
      input.setAttribute('aria-invalid', 'true')
      input.focus()
      return false
    }
    input.removeAttribute('aria-invalid')
  }
  return true
}

const roleOptions = (): [string, MessageKey, boolean][] => (Object.keys(ROLE_KEYS) as BodyRole[]).map((role) => [role, ROLE_KEYS[role], true])

export function adminScreen(app: App): Screen {
  return {
    title: () => t('admin.title'),
    async mount(main) {
      if (!app.me?.is_admin) {
        main.append(tr(h('h1', {}), 'admin.title'), tr(h('p', { class: 'alert alert-error', role: 'alert' }), 'error.forbidden'))
        return
      }
      const partiesHolder = h('div', {}, loading())
      const peopleHolder = h('div', {}, loading())
      const bodiesHolder = h('div', {}, loading())
      const membersHolder = h('div', {})
      const auditHolder = h('div', {}, loading())
      let parties: Party[] = []
      let people: Person[] = []
      let bodies: Body[] = []

      // parties
      const partyErrors = messageBox()
      const pCode = h('input', { type: 'text', autocomplete: 'off' })
      const pName = h('input', { type: 'text', autocomplete: 'off' })
      const pColour = h('input', { type: 'color', value: '#154273' })
      const pAliases = h('input', { type: 'text', autocomplete: 'off' })
      const pSubmit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'admin.addParty')
      const partyForm = h(
        'form',
        { novalidate: true, class: 'grid-form', 'aria-labelledby': 'party-form-title' },
        tr(h('h3', { id: 'party-form-title' }), 'admin.addParty'),
        partyErrors.element,
        field('admin.code', pCode),
        field('admin.name', pName),
        field('admin.colour', pColour, 'admin.colourHint'),
        field('admin.aliases', pAliases, 'admin.aliasesHint'),
        h('div', { class: 'actions' }, pSubmit),
      )
      partyForm.addEventListener('submit', (event) => {
        event.preventDefault()
        if (!required(partyErrors, [[pCode, 'admin.code'], [pName, 'admin.name']])) return
        void busy(pSubmit, async () => {
          try {
            await directory.createParty({ code: pCode.value.trim(), name: pName.value.trim(), colour: pColour.value, aliases: codes(pAliases.value) })
            partyForm.reset()
            partyErrors.clear()
            announce(t('admin.saved'))
            await loadParties()
          } catch (error) {
            partyErrors.error(error)
          }
        })
      })
      const loadParties = async (): Promise<void> => {
        parties = await directory.listParties()
        partiesHolder.replaceChildren(
          table(
            'admin.partiesTitle',
            ['admin.code', 'admin.name', 'admin.aliases', 'admin.collective'],
            parties.map((p) => h('tr', {}, h('td', {}, partyChip(p.code, p.colour)), h('td', {}, p.name), h('td', {}, p.aliases.join(', ')), tr(h('td', {}), p.is_collective ? 'common.yes' : 'common.no'))),
            'parties-table',
          ),
        )
        fillPartySelect()
      }

      // people
      const personErrors = messageBox()
      const uName = h('input', { type: 'text', autocomplete: 'off' })
      const uEmail = h('input', { type: 'email', autocomplete: 'off' })
      const uParty = h('select', {})
      const uPassword = h('input', { type: 'password', autocomplete: 'new-password', minlength: '12' })
      const uAdmin = h('input', {})
      const uSubmit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'admin.addPerson')
      const personForm = h(
        'form',
        { novalidate: true, class: 'grid-form', 'aria-labelledby': 'person-form-title' },
        tr(h('h3', { id: 'person-form-title' }), 'admin.addPerson'),
        personErrors.element,
        field('admin.name', uName),
        field('admin.email', uEmail),
        field('admin.party', uParty),
        field('admin.password', uPassword, 'settings.passwordHint'),
        checkboxField('admin.isAdmin', uAdmin),
        h('div', { class: 'actions' }, uSubmit),
      )
      const fillPartySelect = (): void => {
        uParty.replaceChildren(tr(h('option', { value: '' }), 'admin.noParty'), ...parties.map((p) => h('option', { value: p.code }, `${p.code} — ${p.name}`)))
      }
      personForm.addEventListener('submit', (event) => {
        event.preventDefault()
        if (!required(personErrors, [[uName, 'admin.name'], [uEmail, 'admin.email'], [uPassword, 'admin.password']])) return
        if (uPassword.value.length < 12) {
          personErrors.text('settings.tooShort')
          uPassword.focus()
          return
        }
        void busy(uSubmit, async () => {
          try {
            await directory.createPerson({ name: uName.value.trim(), email: uEmail.value.trim(), party: uParty.value || null, password: uPassword.value, is_admin: uAdmin.checked })
            personForm.reset()
            personErrors.clear()
            announce(t('admin.saved'))
            await loadPeople()
          } catch (error) {
            personErrors.error(error)
          }
        })
      })
      const removeButton = (person: Person): HTMLElement => {
        if (person.id === app.me?.id) return tr(h('span', { class: 'muted' }), 'admin.thatIsYou')
        const button = tr(h('button', { type: 'button', class: 'button-quiet', 'data-remove-person': String(person.id) }), 'admin.removePerson')
        trAttr(button, 'aria-label', 'admin.removePersonOf', { name: person.name })
        button.addEventListener('click', () => {
          void confirmRemovePerson(person, button).then(async (removed) => {
            if (!removed) return
            await loadPeople()
            // the row (and its button) is gone: focus lands on the people heading instead
            const heading = document.getElementById('admin-people-title')
            heading?.setAttribute('tabindex', '-1')
            heading?.focus()
          })
        })
        return button
      }
      const loadPeople = async (): Promise<void> => {
        people = await directory.listPeople()
        peopleHolder.replaceChildren(
          table(
            'admin.peopleTitle',
            ['admin.name', 'admin.email', 'admin.party', 'admin.isAdmin', 'admin.actions'],
            people.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.email), h('td', {}, p.party ? partyChip(p.party, p.colour) : '—'), tr(h('td', {}), p.is_admin ? 'common.yes' : 'common.no'), h('td', {}, removeButton(p)))),
            'people-table',
          ),
        )
        fillPersonSelect()
      }

      // bodies
      const bodyErrors = messageBox()
      const bName = h('input', { type: 'text', autocomplete: 'off' })
      const bKind = select(Object.entries(KIND_KEYS).map(([value, key]) => [value, key, true]))
      const bMembers = h('input', { type: 'text', autocomplete: 'off' })
      const bInformed = h('input', { type: 'text', autocomplete: 'off' })
      const bSubmit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'admin.addBody')
      const bodyForm = h(
        'form',
        { novalidate: true, class: 'grid-form', 'aria-labelledby': 'body-form-title' },
        tr(h('h3', { id: 'body-form-title' }), 'admin.addBody'),
        bodyErrors.element,
        field('admin.name', bName),
        field('admin.kind', bKind),
        field('admin.memberParties', bMembers, 'admin.codesHint'),
        field('admin.informedParties', bInformed, 'admin.codesHint'),
        h('div', { class: 'actions' }, bSubmit),
      )
      bodyForm.addEventListener('submit', (event) => {
        event.preventDefault()
        if (!required(bodyErrors, [[bName, 'admin.name']])) return
        const partiesInput = [
          ...codes(bMembers.value).map((code) => ({ code, participation: 'member' as const })),
          ...codes(bInformed.value).map((code) => ({ code, participation: 'informed' as const })),
        ]
        void busy(bSubmit, async () => {
          try {
            await directory.createBody({ name: bName.value.trim(), kind: bKind.value, parties: partiesInput })
            bodyForm.reset()
            bodyErrors.clear()
            announce(t('admin.saved'))
            await loadBodies()
          } catch (error) {
            bodyErrors.error(error)
          }
        })
      })
      const bodyPick = h('select', { id: 'membership-body' })
      const loadBodies = async (): Promise<void> => {
        bodies = await directory.listBodies()
        bodiesHolder.replaceChildren(
          table(
            'admin.bodiesTitle',
            ['admin.name', 'admin.kind', 'admin.level', 'admin.bodyParties'],
            bodies.map((b) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `/groups/${b.id}`, 'data-link': true }, b.name)),
                tr(h('td', {}), KIND_KEYS[b.kind] ?? 'kind.other'),
                h('td', {}, String(b.ladder_level)),
                h('td', {}, b.parties.map((p) => (p.participation === 'informed' ? `(${p.code})` : p.code)).join(', ')),
              ),
            ),
            'bodies-table',
          ),
        )
        const current = bodyPick.value
        bodyPick.replaceChildren(...bodies.map((b) => h('option', { value: String(b.id) }, b.name)))
        if (current) bodyPick.value = current
        await loadMembers()
      }

      // memberships
      const memberErrors = messageBox()
      const mPerson = h('select', { id: 'membership-person' })
      const mRole = select(roleOptions(), { id: 'membership-role' })
      const mMandate = h('input', { id: 'membership-mandate' })
      const mSubmit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'admin.addMember')
      const fillPersonSelect = (): void => {
        mPerson.replaceChildren(...people.map((p) => h('option', { value: String(p.id) }, `${p.name}${p.party ? ` (${p.party})` : ''}`)))
      }
      const memberForm = h(
        'form',
        { novalidate: true, class: 'grid-form', 'aria-labelledby': 'member-form-title' },
        tr(h('h3', { id: 'member-form-title' }), 'admin.addMember'),
        field('admin.person', mPerson),
        field('admin.role', mRole),
        checkboxField('admin.mandate', mMandate),
        h('div', { class: 'actions' }, mSubmit),
      )
      memberForm.addEventListener('submit', (event) => {
        event.preventDefault()
        const bodyId = Number(bodyPick.value)
        if (!bodyId || !mPerson.value) return
        void busy(mSubmit, async () => {
          try {
            await directory.putMember(bodyId, Number(mPerson.value), { role: mRole.value as BodyRole, holds_mandate: mMandate.checked })
            memberErrors.clear()
            announce(t('admin.saved'))
            await loadMembers()
          } catch (error) {
            memberErrors.error(error)
          }
        })
      })
      const loadMembers = async (): Promise<void> => {
        const bodyId = Number(bodyPick.value)
        if (!bodyId) {
          membersHolder.replaceChildren()
          return
        }
        let members: Member[]
        try {
          members = await directory.listMembers(bodyId)
        } catch (error) {
          memberErrors.error(error)
          return
        }
        membersHolder.replaceChildren(
          table(
            'admin.membershipsTitle',
            ['admin.person', 'admin.party', 'admin.role', 'admin.mandate', 'admin.actions'],
            members.map((m) => {
              const role = select(roleOptions())
              role.value = m.role
              trAttr(role, 'aria-label', 'admin.roleOf', { name: m.name })
              const mandate = h('input', { type: 'checkbox' })
              mandate.checked = m.holds_mandate
              trAttr(mandate, 'aria-label', 'admin.mandateOf', { name: m.name })
              const save = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'common.save'), 'aria-label', 'admin.saveOf', { name: m.name })
              const remove = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'admin.remove'), 'aria-label', 'admin.removeOf', { name: m.name })
              save.addEventListener('click', () =>
                void busy(save, async () => {
                  try {
                    await directory.putMember(bodyId, m.person_id, { role: role.value as BodyRole, holds_mandate: mandate.checked })
                    announce(t('admin.saved'))
                    await loadMembers()
                  } catch (error) {
                    memberErrors.error(error)
                  }
                }),
              )
              remove.addEventListener('click', () => {
                if (!window.confirm(t('admin.confirmRemove', { name: m.name }))) return
                void busy(remove, async () => {
                  try {
                    await directory.removeMember(bodyId, m.person_id)
                    announce(t('admin.removed'))
                    await loadMembers()
                  } catch (error) {
                    memberErrors.error(error)
                  }
                })
              })
              return h('tr', {}, h('td', {}, m.name), h('td', {}, m.party ? partyChip(m.party) : '—'), h('td', {}, role), h('td', {}, mandate), h('td', { class: 'row-actions' }, save, remove))
            }),
            'members-table',
          ),
        )
      }
      bodyPick.addEventListener('change', () => void loadMembers())

      // audit
      const loadAudit = async (): Promise<void> => {
        const entries: AuditEntry[] = await account.listAudit()
        auditHolder.replaceChildren(
          entries.length === 0
            ? tr(h('p', { class: 'muted' }), 'admin.auditEmpty')
            : table(
                'admin.auditTitle',
                ['admin.when', 'admin.who', 'admin.action', 'admin.subject'],
                entries.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, dateText(e.at)),
                    h('td', {}, e.actor, e.actor_party ? ` (${e.actor_party})` : ''),
                    h('td', {}, h('code', {}, e.action)),
                    h('td', { class: 'subject' }, typeof e.subject === 'string' ? e.subject : JSON.stringify(e.subject)),
                  ),
                ),
                'audit-table',
              ),
        )
      }

      const sectionNav = trAttr(
        h(
          'nav',
          { class: 'section-nav' },
          h(
            'ul',
            {},
            ...(
              [
                ['#admin-parties', 'admin.partiesTitle'],
                ['#admin-people', 'admin.peopleTitle'],
                ['#admin-bodies', 'admin.bodiesTitle'],
                ['#admin-memberships', 'admin.membershipsTitle'],
                ['#admin-audit', 'admin.auditTitle'],
              ] as [string, MessageKey][]
            ).map(([href, key]) => h('li', {}, tr(h('a', { href }), key))),
          ),
        ),
        'aria-label',
        'admin.sections',
      )
      main.append(
        tr(h('h1', {}), 'admin.title'),
        sectionNav,
        section('admin-parties', 'admin.partiesTitle', partiesHolder, partyForm),
        section('admin-people', 'admin.peopleTitle', peopleHolder, personForm),
        section('admin-bodies', 'admin.bodiesTitle', bodiesHolder, bodyForm),
        section('admin-memberships', 'admin.membershipsTitle', field('admin.body', bodyPick), memberErrors.element, membersHolder, memberForm),
        section('admin-audit', 'admin.auditTitle', auditHolder),
      )
      const errors = messageBox()
      main.insertBefore(errors.element, sectionNav)
      try {
        await loadParties()
        await loadPeople()
        await loadBodies()
        await loadAudit()
      } catch (error) {
        errors.error(error)
      }
    },
  }
}
