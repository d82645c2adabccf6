// The draft's "Instemming" section (#instemming): the current endorsement round as a matrix of
// parties × answer on one version (bound to its content hash), who still has to answer and
// who holds their mandate, parties asked again after a new version (with the comparison to the
// version they agreed to), answering for one's own party (mandate holders), opening a round on
// a version and withdrawing it (chair, secretariat), and the earlier rounds. Also the gate's
// state shown at the status flow.
import { consent, type Version } from '../../api'
import type { AnswerState, ConsentSettings, Round, RoundParty } from '../../api/consent'
import { t, tr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, checkboxField, dateText, messageBox, partyChip, section } from '../../ui/widgets'
import { currentRound, gateMessage } from './consent-rules'
import './consent.css'

export const ANSWER_KEYS: Record<AnswerState, MessageKey> = {
  akkoord: 'signOff.akkoord',
  akkoord_met_voorbehoud: 'signOff.akkoord_met_voorbehoud',
  niet_akkoord: 'signOff.niet_akkoord',
}

const ROUND_KEYS: Record<string, MessageKey> = {
  open: 'round.status.open',
  afgerond: 'round.status.afgerond',
  vervangen: 'round.status.vervangen',
  ingetrokken: 'round.status.ingetrokken',
}

const shortHash = (hash: string): string => hash.slice(0, 12)

function answerChip(state: string): HTMLElement {
  const el = h('span', { class: `state-chip sign-${state}`, 'data-state': state })
  const key = ANSWER_KEYS[state as AnswerState]
  if (key) tr(el, key)
  else el.textContent = state
  return el
}

export function roundChip(status: string): HTMLElement {
  const el = h('span', { class: `state-chip round-${status}`, 'data-round-status': status })
  const key = ROUND_KEYS[status]
  if (key) tr(el, key)
  else el.textContent = status
  return el
}

export interface ConsentSectionOptions {
  draftId: number
  bodyId: number
  myParty: () => string | null
  holdsMandate: () => boolean
  isLead: () => boolean
  versions: () => Promise<Version[]>
  /** The text selected in the editor, to quote in an answer. */
  selection: () => string | null
  /** After a change: the flow's gate note follows. */
  onChanged?: (rounds: Round[]) => void
}

export interface ConsentSection {
  element: HTMLElement
  /** A note for the status flow: whether the gate applies and how the current round stands. */
  gate: HTMLElement
  refresh(): Promise<void>
}

export function consentSection(options: ConsentSectionOptions): ConsentSection {
  const { draftId } = options
  const errors = messageBox()
  const current = h('div', { class: 'round-current', id: 'round-current' })
  const answerSlot = h('div', {})
  const openSlot = h('div', {})
  const history = h('ol', { class: 'round-history', id: 'round-history' })
  const gate = h('p', { class: 'gate-note hint', id: 'gate-note', 'aria-live': 'polite' })
  gate.hidden = true
  let rounds: Round[] = []
  let gateSettings: ConsentSettings | null = null

  const element = section(
    'instemming',
    'consent.title',
    tr(h('p', { class: 'hint' }), 'consent.intro'),
    errors.element,
    current,
    answerSlot,
    openSlot,
    h('details', { class: 'round-log' }, tr(h('summary', {}), 'consent.history'), history),
  )
  element.querySelector('h2')?.setAttribute('tabindex', '-1')

  const partyRow = (round: Round, party: RoundParty): HTMLElement => {
    const a = party.answer
    const state = a
      ? answerChip(a.state)
      : party.re_asked
        ? tr(h('span', { class: 'state-chip sign-reopened', 'data-state': 'reopened' }), 'consent.reAsked')
        : tr(h('span', { class: 'state-chip sign-pending', 'data-state': 'pending' }), 'signOff.pending')
    const compare =
      party.re_asked && party.previous_version_id
        ? tr(
            h('a', { href: `/drafts/${draftId}/compare?from=${party.previous_version_id}&to=${round.version_id}`, 'data-link': true, class: 'compare-link', 'data-compare': party.code }),
            'consent.compareLink',
            { party: party.code },
          )
        : null
    const details = h(
      'td',
      {},
      a?.reservation ? h('p', { class: 'reservation' }, a.reservation) : null,
      a?.anchor_quote ? h('blockquote', { class: 'thread-quote' }, a.anchor_quote) : null,
      a?.dispute_id ? tr(h('a', { href: `/disputes/${a.dispute_id}`, 'data-link': true, class: 'dispute-link' }), 'consent.disputeLink') : null,
    )
    const who = h(
      'td',
      { class: 'muted' },
      a
        ? `${a.signed_by_name ?? '—'}, ${dateText(a.signed_at)}`
        : party.mandate_holders.length
          ? t('consent.holders', { names: party.mandate_holders.join(', ') })
          : t('agreementEdit.pendingNoHolder'),
    )
    return h(
      'tr',
      { 'data-party': party.code, class: a ? '' : party.re_asked ? 'row-pending row-reopened' : 'row-pending' },
      h('th', { scope: 'row' }, partyChip(party.code), ' ', h('span', { class: 'party-name' }, party.name)),
      h(
        'td',
        {},
        state,
        party.re_asked && party.previous_state && !a ? tr(h('p', { class: 'muted reopened-note' }), 'consent.wasState', { state: t(ANSWER_KEYS[party.previous_state as AnswerState] ?? 'signOff.pending') }) : null,
        compare ? h('p', {}, compare) : null,
      ),
      who,
      details,
    )
  }

  const renderCurrent = (round: Round | null): void => {
    if (!round) {
      current.replaceChildren(tr(h('p', { class: 'muted', id: 'round-none' }), 'consent.none'))
      return
    }
    const open = round.parties.filter((p) => !p.answer).length
    const withdraw =
      options.isLead() && round.status === 'open' ? tr(h('button', { type: 'button', class: 'button-quiet button-danger', id: 'round-withdraw' }), 'consent.withdraw') : null
    withdraw?.addEventListener('click', () =>
      void busy(withdraw, async () => {
        try {
          await consent.withdrawRound(round.id)
          announce(t('consent.withdrawn'))
          await refresh()
        } catch (error) {
          errors.error(error)
        }
      }),
    )
    current.replaceChildren(
      h(
        'div',
        { class: 'round-body' },
      h(
        'p',
        { class: 'round-meta', 'data-round': String(round.id) },
        roundChip(round.status),
        ' ',
        tr(h('span', {}), 'consent.onVersion', { version: round.version_name, hash: shortHash(round.content_hash), name: round.opened_by_name ?? '—', date: dateText(round.opened_at) }),
      ),
      round.note ? h('p', { class: 'round-note' }, round.note) : null,
      round.require_no_open_points ? tr(h('p', { class: 'hint' }), 'consent.noOpenPointsRequired') : null,
      round.complete
        ? tr(h('p', { class: 'round-complete', id: 'round-complete' }), 'consent.complete')
        : tr(h('p', { class: 'pending-count', id: 'round-pending-count' }), open ? 'consent.openCount' : 'consent.disputesOpen', { count: open || round.open_niet_akkoord }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table matrix', id: 'round-matrix' },
          tr(h('caption', { class: 'visually-hidden' }), 'consent.matrix', { version: round.version_name }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              tr(h('th', { scope: 'col' }), 'admin.party'),
              tr(h('th', { scope: 'col' }), 'signOff.state'),
              tr(h('th', { scope: 'col' }), 'consent.whoColumn'),
              tr(h('th', { scope: 'col' }), 'consent.detailsColumn'),
            ),
          ),
          h('tbody', {}, ...round.parties.map((p) => partyRow(round, p))),
        ),
      ),
      withdraw ? h('div', { class: 'actions' }, withdraw) : null,
      ),
    )
  }

  const answerForm = (round: Round): HTMLElement | null => {
    const code = options.myParty()
    const mine = round.parties.find((p) => p.code === code)
    if (!mine || !options.holdsMandate() || (round.status !== 'open' && round.status !== 'afgerond')) return null
    const box = messageBox()
    const name = `round-${round.id}-answer`
    const disputeHint = tr(h('p', { class: 'hint', id: `${name}-dispute-hint` }), 'consent.nietAkkoordHint')
    const radios = (Object.keys(ANSWER_KEYS) as AnswerState[]).map((state, i) => {
      const input = h('input', { type: 'radio', name, value: state, id: `${name}-${state}` })
      if (i === 0) input.checked = true
      if (state === 'niet_akkoord') input.setAttribute('aria-describedby', disputeHint.id)
      return h('div', { class: 'field-check field' }, input, tr(h('label', { for: input.id }), ANSWER_KEYS[state]))
    })
    const reservation = h('textarea', { id: `${name}-reservation`, rows: 3, maxlength: 4000 })
    const quote = h('textarea', { id: `${name}-quote`, rows: 2, maxlength: 1000 })
    const takeSelection = tr(h('button', { type: 'button', class: 'button-quiet', id: `${name}-take-quote` }), 'consent.takeSelection')
    const quoteHint = tr(h('p', { class: 'hint', id: `${name}-quote-hint` }), 'consent.quoteHint')
    quote.setAttribute('aria-describedby', quoteHint.id)
    takeSelection.addEventListener('click', () => {
      const selected = options.selection()
      if (selected) {
        quote.value = selected.slice(0, 1000)
        announce(t('consent.quoteTaken'))
      } else announce(t('consent.noSelection'))
      quote.focus()
    })
    const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: `${name}-submit` }), 'consent.submit', { party: mine.code })
    const form = h(
      'form',
      { class: 'sign-form', novalidate: true, id: 'round-answer-form' },
      tr(h('p', { class: 'hint' }), 'consent.answerIntro', { party: mine.code, version: round.version_name, hash: shortHash(round.content_hash) }),
      box.element,
      h('fieldset', {}, tr(h('legend', {}), 'consent.legend', { party: mine.code }), ...radios, disputeHint),
      h('div', { class: 'field' }, tr(h('label', { for: reservation.id }), 'consent.reservation'), reservation),
      h('div', { class: 'field' }, tr(h('label', { for: quote.id }), 'consent.quote'), quoteHint, quote, takeSelection),
      h('div', { class: 'actions' }, submit),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      box.clear()
      const state = (form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? 'akkoord') as AnswerState
      if (state === 'akkoord_met_voorbehoud' && !reservation.value.trim()) {
        box.text('signOff.reservationNeeded')
        reservation.setAttribute('aria-invalid', 'true')
        reservation.focus()
        return
      }
      reservation.removeAttribute('aria-invalid')
      void busy(submit, async () => {
        try {
          const result = await consent.answer(round.id, {
            state,
            expected_hash: round.content_hash,
            ...(reservation.value.trim() ? { reservation: reservation.value.trim() } : {}),
            ...(quote.value.trim() ? { anchor_quote: quote.value.trim() } : {}),
          })
          announce(result.dispute?.message ?? t('consent.answered', { party: mine.code }))
          await refresh()
          if (result.dispute) {
            const link = tr(h('a', { href: `/disputes/${result.dispute.id}`, 'data-link': true, id: 'round-dispute-opened' }), 'consent.disputeOpened')
            answerSlot.prepend(h('p', { class: 'alert', role: 'status' }, result.dispute.message, ' ', link))
          }
          element.querySelector<HTMLElement>('#instemming-title')?.focus()
        } catch (error) {
          box.error(error)
        }
      })
    })
    return h('details', { class: 'sign-details', open: !mine.answer }, tr(h('summary', {}), mine.answer ? 'consent.answerAgain' : 'consent.answerOpen', { party: mine.code }), form)
  }

  const openForm = async (): Promise<HTMLElement | null> => {
    if (!options.isLead()) return null
    let versions: Version[] = []
    try {
      versions = await options.versions()
    } catch {
      versions = []
    }
    const box = messageBox()
    const version = h('select', { id: 'round-version' })
    for (const v of versions) version.append(h('option', { value: String(v.id) }, `${v.name} (${dateText(v.created_at)})`))
    const noPoints = h('input', { id: 'round-no-open-points' })
    const note = h('textarea', { id: 'round-note', rows: 2, maxlength: 2000 })
    const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'round-open' }), 'consent.open')
    const form = h(
      'form',
      { class: 'stack', novalidate: true, id: 'round-open-form' },
      box.element,
      versions.length
        ? h('div', { class: 'field' }, tr(h('label', { for: version.id }), 'consent.version'), version)
        : tr(h('p', { class: 'hint' }), 'consent.noVersions'),
      checkboxField('consent.requireNoOpenPoints', noPoints),
      h('div', { class: 'field' }, tr(h('label', { for: note.id }), 'consent.note'), note),
      h('div', { class: 'actions' }, submit),
    )
    submit.disabled = versions.length === 0
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      box.clear()
      if (!version.value) return
      void busy(submit, async () => {
        try {
          const round = await consent.openRound(draftId, {
            version_id: Number(version.value),
            ...(noPoints.checked ? { require_no_open_points: true } : {}),
            ...(note.value.trim() ? { note: note.value.trim() } : {}),
          })
          announce(t('consent.opened', { version: round.version_name }))
          await refresh()
          element.querySelector<HTMLElement>('#round-matrix caption')?.closest('table')?.scrollIntoView({ block: 'nearest' })
        } catch (error) {
          box.error(error)
        }
      })
    })
    const hasOpen = rounds.some((r) => r.status === 'open')
    return h('details', { class: 'round-open', id: 'round-open-details', open: !hasOpen && rounds.length === 0 }, tr(h('summary', {}), 'consent.openTitle'), form)
  }

  const renderHistory = (): void => {
    if (rounds.length === 0) {
      history.replaceChildren(tr(h('li', { class: 'muted' }), 'consent.noHistory'))
      return
    }
    history.replaceChildren(
      ...rounds.map((r) =>
        h(
          'li',
          { 'data-round': String(r.id) },
          roundChip(r.status),
          ' ',
          tr(h('span', {}), 'consent.historyItem', {
            version: r.version_name,
            hash: shortHash(r.content_hash),
            date: dateText(r.opened_at),
            answered: r.parties.filter((p) => p.answer).length,
            total: r.parties.length,
          }),
        ),
      ),
    )
  }

  const renderGate = (): void => {
    const s = gateSettings
    if (!s || (!s.require_for_vastgesteld && !s.require_for_aangeboden)) {
      gate.hidden = true
      return
    }
    const steps = [s.require_for_vastgesteld ? t('status.vastgesteld') : null, s.require_for_aangeboden ? t('status.aangeboden') : null].filter(Boolean).join(', ')
    const round = currentRound(rounds)
    const { key, parties, count } = gateMessage(round)
    const params = { steps, parties, count }
    const link = tr(h('a', { href: '#instemming' }), 'consent.toSection')
    gate.replaceChildren(tr(h('span', {}), key, params), ' ', link)
    gate.dataset.gate = round?.complete ? 'complete' : 'incomplete'
    gate.hidden = false
  }

  const refresh = async (): Promise<void> => {
    try {
      ;[rounds, gateSettings] = await Promise.all([consent.rounds(draftId), consent.settings(options.bodyId).catch(() => null)])
      errors.clear()
    } catch (error) {
      errors.error(error)
      return
    }
    const round = currentRound(rounds)
    renderCurrent(round)
    const form = round ? answerForm(round) : null
    answerSlot.replaceChildren(...(form ? [form] : []))
    openSlot.replaceChildren(...[await openForm()].filter((x): x is HTMLElement => x !== null))
    renderHistory()
    renderGate()
    options.onChanged?.(rounds)
  }

  return { element, gate, refresh }
}
