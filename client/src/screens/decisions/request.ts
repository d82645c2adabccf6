// One decision request, /decision-requests/{id}: the question and its options, of whom it is
// asked, the requesting and the deciding body, its meeting, the supporting version, the
// deadline and status; the outcomes recorded. Those who may decide record one ("Besluit
// vastleggen"); those who may edit it can withdraw it.
import { decisions } from '../../api'
import type { Decision, DecisionRequest } from '../../api/decisions'
import type { App } from '../../app'
import { formatDay, t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { busy, dateText, loading, messageBox, partyChip, section } from '../../ui/widgets'
import { present } from '../programme/form'
import { outcomeChip, requestChip } from '../meetings/labels'
import { outcomeForm } from './outcome-form'

export function decisionItem(d: Decision): HTMLElement {
  return h(
    'li',
    { class: 'decision-item', 'data-decision': String(d.id), 'data-outcome': d.outcome },
    h('p', {}, outcomeChip(d.outcome), ' ', h('strong', {}, formatDay(d.decided_on)), d.meeting_title ? h('span', { class: 'muted' }, ` · ${d.meeting_title}`) : null),
    d.conditions ? h('p', { class: 'decision-conditions' }, tr(h('strong', {}), 'decision.conditions'), ' ', d.conditions) : null,
    d.rationale ? h('p', {}, tr(h('strong', {}), 'decision.rationale'), ' ', d.rationale) : null,
    d.follow_up_milestones.length
      ? h('div', {}, tr(h('strong', {}), 'decision.followUps'), h('ul', { class: 'follow-up-list' }, ...d.follow_up_milestones.map((m) => h('li', {}, h('a', { href: `/milestones/${m.id}`, 'data-link': true }, m.title), h('span', { class: 'muted' }, ` (${m.due})`)))))
      : null,
    d.closed_dispute_id !== null ? h('p', {}, tr(h('a', { href: `/disputes/${d.closed_dispute_id}`, 'data-link': true }), 'decision.closedDispute')) : null,
    d.opened_dispute_id !== null ? h('p', {}, tr(h('a', { href: `/disputes/${d.opened_dispute_id}`, 'data-link': true }), 'decision.openedDispute')) : null,
    d.parties.length ? h('p', {}, tr(h('span', { class: 'muted' }), 'decision.parties'), ' ', ...d.parties.flatMap((p) => [partyChip(p), ' '])) : null,
    tr(h('p', { class: 'muted' }), 'decision.recorded', { name: d.recorded_by ?? '—', date: dateText(d.recorded_at) }),
  )
}

function facts(r: DecisionRequest): HTMLElement {
  return h(
    'dl',
    { class: 'milestone-facts', id: 'request-facts' },
    tr(h('dt', {}), 'request.status'),
    h('dd', { id: 'request-status' }, requestChip(r.status)),
    tr(h('dt', {}), 'request.askedOf'),
    h('dd', {}, r.asked_of || '—'),
    tr(h('dt', {}), 'request.from'),
    h('dd', {}, r.requesting_body_id !== null ? h('a', { href: `/groups/${r.requesting_body_id}`, 'data-link': true }, r.requesting_body_name ?? '') : '—'),
    tr(h('dt', {}), 'request.deciding'),
    h('dd', {}, h('a', { href: `/groups/${r.body_id}`, 'data-link': true }, r.body_name)),
    tr(h('dt', {}), 'request.meeting'),
    h('dd', { id: 'request-meeting' }, r.meeting_id !== null ? h('a', { href: `/meetings/${r.meeting_id}`, 'data-link': true }, `${r.meeting_title ?? ''}${r.meeting_starts_at ? ` (${dateText(r.meeting_starts_at)})` : ''}`) : t('request.noMeetingYet')),
    tr(h('dt', {}), 'request.support'),
    h(
      'dd',
      { id: 'request-version' },
      r.version
        ? h('span', {}, h('a', { href: `/drafts/${r.version.draft_id}`, 'data-link': true }, `${r.version.draft_title} — ${r.version.name}`), h('span', { class: 'hash muted' }, ` · SHA-256 ${r.version.content_hash.slice(0, 12)}…`))
        : '—',
    ),
    tr(h('dt', {}), 'request.deadline'),
    h('dd', {}, r.deadline ? formatDay(r.deadline) : '—'),
  )
}

export function requestScreen(app: App, id: number): Screen {
  let title = t('request.title')
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      const render = async (focusId?: string): Promise<void> => {
        let r: DecisionRequest
        try {
          r = await decisions.getRequest(id)
        } catch (error) {
          main.replaceChildren(tr(h('h1', {}), 'request.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
          return
        }
        title = `${r.title} — ${t('request.title')}`
        document.title = `${title} — ${t('app.name')}`
        const live = r.status === 'open' || r.status === 'aangehouden'
        const reload = (target?: string): Promise<void> => render(target)
        let withdraw: HTMLElement | null = null
        if (r.can_edit && live) {
          const errors = messageBox()
          const button = tr(h('button', { type: 'button', class: 'button-quiet', id: 'withdraw-request' }), 'request.withdraw')
          button.addEventListener('click', () => {
            void busy(button, async () => {
              try {
                await decisions.withdraw(r.id)
                announce(t('request.withdrawn'))
                await reload('request-title')
              } catch (error) {
                errors.error(error)
              }
            })
          })
          withdraw = h('div', { class: 'actions' }, errors.element, button)
        }
        main.replaceChildren(
          ...present(
            h('p', { class: 'back' }, h('a', { href: r.meeting_id !== null ? `/meetings/${r.meeting_id}` : `/groups/${r.body_id}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: r.meeting_title ?? r.body_name }))),
            h('h1', { id: 'request-title' }, r.title),
            h('p', { class: 'lead' }, requestChip(r.status), ' ', tr(h('span', {}), 'request.leadLine', { body: r.body_name })),
            section(
              'request-question-section',
              'request.question',
              h('p', { id: 'request-question-text' }, r.question),
              r.options.length ? h('div', {}, tr(h('h3', {}), 'request.options'), h('ol', { id: 'request-options-list' }, ...r.options.map((o) => h('li', {}, o)))) : null,
            ),
            section('request-about', 'request.about', facts(r), withdraw),
            section('request-decisions', 'request.decisions', r.decisions.length ? h('ul', { class: 'doc-list', id: 'request-decision-list' }, ...r.decisions.map(decisionItem)) : tr(h('p', { class: 'muted', id: 'request-decision-list' }), 'request.noDecisions')),
            r.can_decide && live ? section('request-outcome', 'outcomeForm.title', outcomeForm(r, () => reload('request-decisions-title'))) : null,
          ),
        )
        if (focusId) {
          const target = document.getElementById(focusId)
          target?.setAttribute('tabindex', '-1')
          target?.focus()
        }
      }
      await render()
    },
  }
}
