// The working group's governance sections: role agreements (matrix with sign-offs, signing for
// one's party), action lines and milestones (dashboard: due soon, late, by party), disputes.
// Each says "available soon" while the server does not offer its routes yet.
import { agreements, directory, drafts, governance, type Dispute, type Me, type Member, type Milestone, type RoleAgreement, type SignOffState } from '../api'
import type { PendingParty } from '../api/agreements'
import type { App } from '../app'
import { t, tr, type MessageKey } from '../i18n'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { raiseDisputeButton } from '../ui/raise-dispute'
import { busy, dateText, messageBox, partyChip, section } from '../ui/widgets'
import { createAgreementForm, openRowDialog, topicForm } from './agreements/editor'


const AGREEMENT_ROLE_KEYS: Record<string, MessageKey> = {
  trekker: 'agreement.trekker',
  medeverantwoordelijk: 'agreement.medeverantwoordelijk',
  geconsulteerd: 'agreement.geconsulteerd',
  'geïnformeerd': 'agreement.geinformeerd',
}
const SIGN_KEYS: Record<SignOffState, MessageKey> = {
  akkoord: 'signOff.akkoord',
  akkoord_met_voorbehoud: 'signOff.akkoord_met_voorbehoud',
  niet_akkoord: 'signOff.niet_akkoord',
}
const MILESTONE_KEYS: Record<string, MessageKey> = {
  gepland: 'milestone.gepland',
  op_koers: 'milestone.op_koers',
  risico: 'milestone.risico',
  te_laat: 'milestone.te_laat',
  verschoven: 'milestone.verschoven',
  gereed: 'milestone.gereed',
  vervallen: 'milestone.vervallen',
}
const DISPUTE_KEYS: Record<string, MessageKey> = {
  in_behandeling: 'dispute.in_behandeling',
  geescaleerd: 'dispute.geescaleerd',
  besloten: 'dispute.besloten',
  ingetrokken: 'dispute.ingetrokken',
}

function chip(kind: string, value: string, keys: Record<string, MessageKey>): HTMLElement {
  const key = keys[value]
  const el = h('span', { class: `state-chip ${kind}-${value.replace(/[^a-z_]/g, '')}`, 'data-state': value })
  if (key) tr(el, key)
  else el.textContent = value
  return el
}

export const milestoneChip = (status: string): HTMLElement => chip('milestone', status, MILESTONE_KEYS)
export const disputeChip = (status: string): HTMLElement => chip('dispute', status, DISPUTE_KEYS)

function signForm(agreement: RoleAgreement, onSigned: () => void): HTMLElement {
  const errors = messageBox()
  const name = `sign-${agreement.id}`
  const options = (Object.keys(SIGN_KEYS) as SignOffState[]).map((state, i) => {
    const input = h('input', { type: 'radio', name, value: state, id: `${name}-${state}` })
    if (i === 0) input.checked = true
    return h('div', { class: 'field-check field' }, input, tr(h('label', { for: input.id }), SIGN_KEYS[state]))
  })
  const reservation = h('textarea', { id: `${name}-reservation`, rows: 2 })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'signOff.submit')
  const form = h(
    'form',
    { class: 'sign-form', novalidate: true },
    errors.element,
    h('fieldset', {}, tr(h('legend', {}), 'signOff.legend'), ...options),
    h('div', { class: 'field' }, tr(h('label', { for: reservation.id }), 'signOff.reservation'), reservation),
    submit,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const state = (form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? 'akkoord') as SignOffState
    if (state === 'akkoord_met_voorbehoud' && !reservation.value.trim()) {
      errors.text('signOff.reservationNeeded')
      reservation.focus()
      return
    }
    void busy(submit, async () => {
      try {
        const result = await governance.signOff(agreement.id, {
          state,
          version_hash: agreement.version_hash,
          ...(reservation.value.trim() ? { reservation: reservation.value.trim() } : {}),
        })
        announce(result.dispute?.message ?? t('signOff.done'))
        onSigned()
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return h('details', { class: 'sign-details' }, tr(h('summary', {}), 'signOff.open'), form)
}

interface CardContext {
  me: Me
  mine: Member | undefined
  app: App | undefined
  steer: boolean
  bodyParties: string[]
  reload: (focus?: string) => void
}

function agreementCard(agreement: RoleAgreement, pending: PendingParty[], ctx: CardContext): HTMLElement {
  const { me, mine, app, steer } = ctx
  const open = agreement.parties.filter((p) => !p.sign_off && p.role !== 'geïnformeerd').length
  const pendingByCode = new Map(pending.map((p) => [p.code, p]))
  const writer = !!mine && mine.role !== 'observer'
  const rows = agreement.parties.map((p) => {
    const s = p.sign_off
    const informed = p.role === 'geïnformeerd'
    const previous = pendingByCode.get(p.code)?.previous ?? null
    // answered before, but this version changed the party's row (or the topic): ask again
    const reopened = !s && previous !== null
    const state = s
      ? chip('sign', s.state, SIGN_KEYS)
      : reopened
        ? tr(h('span', { class: 'state-chip sign-reopened', 'data-state': 'reopened' }), 'agreementEdit.reopenedChip')
        : informed
          ? tr(h('span', { class: 'muted', 'data-state': 'not-needed' }), 'signOff.notNeeded')
          : tr(h('span', { class: 'state-chip sign-pending', 'data-state': 'pending' }), 'signOff.pending')
    const edit = steer ? tr(h('button', { type: 'button', class: 'button-quiet button-small', 'data-edit-party': p.code }), 'agreementEdit.change', { party: p.code }) : null
    // a dispute about this party's row (its role or responsibility), for every writer
    const raise = writer && app ? raiseDisputeButton(app, agreement.body_id, { kind: 'role_agreement', id: agreement.id, title: agreement.title, party: p.code }) : null
    edit?.addEventListener('click', () =>
      openRowDialog(agreement, { code: p.code, role: p.role, responsibility: p.responsibility }, [], edit, () => ctx.reload(`[data-edit-party="${p.code}"]`)),
    )
    return h(
      'tr',
      { 'data-party': p.code, class: s || (informed && !reopened) ? '' : reopened ? 'row-pending row-reopened' : 'row-pending' },
      h('th', { scope: 'row' }, partyChip(p.code), ' ', h('span', { class: 'party-name' }, p.name)),
      h('td', {}, chip('role', p.role, AGREEMENT_ROLE_KEYS)),
      h('td', { class: 'responsibility' }, p.responsibility ? p.responsibility : tr(h('span', { class: 'muted' }), 'agreementEdit.noResponsibility')),
      h(
        'td',
        {},
        state,
        reopened && previous ? tr(h('p', { class: 'muted reopened-note' }), 'agreementEdit.reopenedWas', { state: t(SIGN_KEYS[previous.state]), date: dateText(previous.signed_at) }) : null,
        s?.reservation ? h('p', { class: 'reservation' }, s.reservation) : null,
      ),
      h('td', { class: 'muted' }, s ? `${s.signed_by_name ?? '—'}, ${dateText(s.signed_at)}` : ''),
      steer || writer ? h('td', { class: 'row-actions' }, edit, edit && raise ? ' ' : null, raise) : null,
    )
  })
  const myRow = agreement.parties.find((p) => p.code === me.party)
  const canSign = !!myRow && !!mine?.holds_mandate
  const waiting = pending.filter((p) => p.role !== 'geïnformeerd' || p.previous)
  const pendingList = waiting.length
    ? h(
        'div',
        { class: 'pending-parties', id: `agreement-${agreement.id}-pending` },
        tr(h('h4', {}), 'agreementEdit.pendingTitle'),
        h(
          'ul',
          {},
          ...waiting.map((p) =>
            h(
              'li',
              { 'data-party': p.code },
              partyChip(p.code),
              ' ',
              p.mandate_holders.length ? tr(h('span', {}), 'agreementEdit.pendingHolders', { names: p.mandate_holders.join(', ') }) : tr(h('span', { class: 'muted' }), 'agreementEdit.pendingNoHolder'),
              p.previous ? tr(h('span', { class: 'muted' }), 'agreementEdit.pendingAgain') : null,
            ),
          ),
        ),
      )
    : null
  const candidates = ctx.bodyParties.filter((code) => !agreement.parties.some((p) => p.code === code))
  const addParty = steer && candidates.length ? tr(h('button', { type: 'button', class: 'button-quiet', 'data-add-party': String(agreement.id) }), 'agreementEdit.addParty') : null
  addParty?.addEventListener('click', () => openRowDialog(agreement, null, candidates, addParty, () => ctx.reload(`[data-add-party="${agreement.id}"]`)))
  return h(
    'article',
    { class: 'agreement', 'aria-labelledby': `agreement-${agreement.id}-title`, id: `agreement-${agreement.id}`, 'data-agreement': String(agreement.id) },
    h('h3', { id: `agreement-${agreement.id}-title` }, agreement.title),
    agreement.description ? h('p', {}, agreement.description) : null,
    agreement.draft_id ? h('p', {}, tr(h('a', { href: `/drafts/${agreement.draft_id}`, 'data-link': true }), 'agreementEdit.toDraft')) : null,
    tr(h('p', { class: open ? 'pending-count' : 'muted' }), open ? 'agreement.openCount' : 'agreement.allDone', { count: open }),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table matrix' },
        tr(h('caption', { class: 'visually-hidden' }), 'agreement.matrix', { title: agreement.title }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            tr(h('th', { scope: 'col' }), 'admin.party'),
            tr(h('th', { scope: 'col' }), 'admin.role'),
            tr(h('th', { scope: 'col' }), 'agreementEdit.responsibility'),
            tr(h('th', { scope: 'col' }), 'signOff.state'),
            tr(h('th', { scope: 'col' }), 'signOff.by'),
            steer || writer ? tr(h('th', { scope: 'col' }), 'agreementEdit.actions') : null,
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
    pendingList,
    h('div', { class: 'actions agreement-actions' }, addParty, writer && app ? raiseDisputeButton(app, agreement.body_id, { kind: 'role_agreement', id: agreement.id, title: agreement.title }) : null),
    steer ? topicForm(agreement, () => ctx.reload(`#agreement-${agreement.id}-title`)) : null,
    canSign ? signForm(agreement, () => ctx.reload(`#agreement-${agreement.id}-title`)) : null,
  )
}

export function roleAgreementsSection(bodyId: number, me: Me, members: Member[], app?: App): HTMLElement {
  const holder = h('div', {})
  const createSlot = h('div', {})
  const element = section('role-agreements', 'group.roleAgreements', holder, createSlot)
  const mine = members.find((m) => m.person_id === me.id)
  const steer = mine?.role === 'chair' || mine?.role === 'secretariat'
  let bodyParties: string[] = []
  const load = async (focus?: string): Promise<void> => {
    try {
      const list = await governance.roleAgreements(bodyId)
      const pending = await Promise.all(list.map((a) => agreements.pending(a.id).then((p) => p.pending).catch(() => [] as PendingParty[])))
      const ctx: CardContext = { me, mine, app, steer, bodyParties, reload: (f) => void load(f) }
      if (list.length === 0) holder.replaceChildren(tr(h('p', { class: 'muted' }), 'group.futureEmpty'))
      else holder.replaceChildren(...list.map((a, i) => agreementCard(a, pending[i] ?? [], ctx)))
      if (focus) {
        const target = holder.querySelector<HTMLElement>(focus)
        if (target) {
          if (!target.matches('button, a, input, select, textarea')) target.setAttribute('tabindex', '-1')
          target.focus()
        }
      }
    } catch (error) {
      holder.replaceChildren(h('p', { class: 'muted' }, describeError(error)))
    }
  }
  void (async () => {
    if (steer) {
      try {
        const [body, draftList] = await Promise.all([directory.getBody(bodyId), drafts.listDrafts(bodyId)])
        bodyParties = body.parties.map((p) => p.code)
        createSlot.replaceChildren(
          createAgreementForm(bodyId, body, draftList, (created) => {
            void load(`#agreement-${created.id}-title`)
          }),
        )
      } catch (error) {
        createSlot.replaceChildren(h('p', { class: 'muted' }, describeError(error)))
      }
    }
    await load()
    // a link to one agreement (#agreement-12, from a dispute): show it once it is drawn
    if (location.hash.startsWith('#agreement-')) document.getElementById(location.hash.slice(1))?.scrollIntoView()
  })()
  return element
}

function milestoneItem(m: Milestone): HTMLElement {
  const lead = m.owners.filter((o) => o.role === 'lead' || o.role === 'trekker')
  return h(
    'li',
    { 'data-milestone': String(m.id) },
    h('span', { class: 'milestone-title' }, m.title),
    ' ',
    chip('milestone', m.status, MILESTONE_KEYS),
    h('span', { class: 'muted' }, ` ${m.due.raw || t('milestone.noDate')}`),
    ' ',
    ...(lead.length ? lead : m.owners).map((o) => partyChip(o.code)),
  )
}

export function actionLinesSection(bodyId: number, lead = false): HTMLElement {
  const holder = h('div', {})
  const links = h(
    'p',
    { class: 'actions section-links' },
    tr(h('a', { href: `/groups/${bodyId}/programme`, 'data-link': true, id: 'programme-link' }), 'programme.open'),
    lead ? ' · ' : null,
    lead ? tr(h('a', { href: `/groups/${bodyId}/import`, 'data-link': true, id: 'import-link' }), 'import.open') : null,
  )
  const element = section('action-lines', 'group.actionLines', links, holder)
  void (async () => {
    try {
      const [board, list] = await Promise.all([governance.dashboard(bodyId), governance.milestones(bodyId)])
      const parts: HTMLElement[] = [
        tr(h('h3', {}), 'milestone.dueSoon', { days: board.due_soon_days }),
        board.due_soon.length ? h('ul', { class: 'milestone-list', id: 'due-soon' }, ...board.due_soon.map(milestoneItem)) : tr(h('p', { class: 'muted' }), 'milestone.none'),
        tr(h('h3', {}), 'milestone.late'),
        board.late.length ? h('ul', { class: 'milestone-list', id: 'late' }, ...board.late.map(milestoneItem)) : tr(h('p', { class: 'muted' }), 'milestone.none'),
      ]
      if (board.by_party.length)
        parts.push(
          tr(h('h3', {}), 'milestone.byParty'),
          h(
            'table',
            { class: 'table', id: 'by-party' },
            tr(h('caption', { class: 'visually-hidden' }), 'milestone.byParty'),
            h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), 'admin.party'), tr(h('th', { scope: 'col' }), 'milestone.open'), tr(h('th', { scope: 'col' }), 'milestone.dueSoonShort'), tr(h('th', { scope: 'col' }), 'milestone.lateShort'))),
            h('tbody', {}, ...board.by_party.map((row) => h('tr', {}, h('th', { scope: 'row' }, partyChip(row.code)), h('td', {}, String(row.open)), h('td', {}, String(row.due_soon)), h('td', { class: row.late ? 'late-count' : '' }, String(row.late))))),
          ),
        )
      if (list.length) {
        const details = h('details', {}, tr(h('summary', {}), 'milestone.all', { count: list.length }), h('ul', { class: 'milestone-list' }, ...list.map(milestoneItem)))
        parts.push(details)
      }
      holder.replaceChildren(...parts)
    } catch (error) {
      holder.replaceChildren(h('p', { class: 'muted' }, describeError(error)))
    }
  })()
  return element
}

function disputeItem(d: Dispute): HTMLElement {
  return h(
    'li',
    { 'data-dispute': String(d.id) },
    h('a', { class: 'milestone-title', href: `/disputes/${d.id}`, 'data-link': true }, d.title),
    ' ',
    chip('dispute', d.status, DISPUTE_KEYS),
    h('br', {}),
    tr(h('span', { class: 'muted' }), 'dispute.meta', { party: d.raised_by_party, level: d.level, date: d.respond_by }),
    h('span', { class: 'dispute-parties' }, ...d.parties.map((p) => {
      const el = partyChip(p.code)
      el.classList.add(p.has_position ? 'has-position' : 'no-position')
      el.title = t(p.has_position ? 'dispute.hasPosition' : 'dispute.noPosition')
      return el
    })),
  )
}

export function disputesSection(bodyId: number): HTMLElement {
  const holder = h('div', {})
  const element = section('disputes', 'group.disputes', holder)
  void (async () => {
    try {
      const list = await governance.disputes(bodyId)
      if (list.length === 0) holder.replaceChildren(tr(h('p', { class: 'muted' }), 'group.futureEmpty'))
      else holder.replaceChildren(h('ul', { class: 'milestone-list', id: 'dispute-list' }, ...list.map(disputeItem)))
    } catch (error) {
      holder.replaceChildren(h('p', { class: 'muted' }, describeError(error)))
    }
  })()
  return element
}
