// One dispute, /disputes/{id}: the ladder with the current level and the response deadline,
// positions per party (state one for my party), options, comments, history; escalate and
// resolve (chair, secretariat), withdraw (the raising party), dossier downloads.
import { agreements, directory, disputes, drafts, governance, type DisputeDossier } from '../api'
import type { App } from '../app'
import { t, tr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { busy, dateText, loading, messageBox, partyChip, section } from '../ui/widgets'
import { disputeChip } from './governance'

let formCounter = 0

const EVENT_KEYS: Record<string, MessageKey> = {
  raised: 'disputeEvent.raised',
  position: 'disputeEvent.position',
  option: 'disputeEvent.option',
  comment: 'disputeEvent.comment',
  escalated: 'disputeEvent.escalated',
  escalated_on_timeout: 'disputeEvent.escalated_on_timeout',
  resolved: 'disputeEvent.resolved',
  withdrawn: 'disputeEvent.withdrawn',
}
const eventLabel = (kind: string): HTMLElement => {
  const key = EVENT_KEYS[kind]
  return key ? tr(h('strong', {}), key) : h('strong', {}, kind)
}

/** A small form with one textarea (and an optional title input) that posts and reloads. */
function textForm(opts: {
  id: string
  label: MessageKey
  submit: MessageKey
  withTitle?: boolean
  required?: boolean
  work: (text: string, title: string) => Promise<unknown>
  done: MessageKey
  reload: () => Promise<void>
}): HTMLElement {
  const n = ++formCounter
  const errors = messageBox()
  const titleInput = opts.withTitle ? h('input', { type: 'text', id: `${opts.id}-title-${n}`, autocomplete: 'off' }) : null
  const text = h('textarea', { id: `${opts.id}-text-${n}`, rows: 3 })
  const button = tr(h('button', { type: 'submit', class: 'button-primary' }), opts.submit)
  const form = h(
    'form',
    { novalidate: true, class: 'stack', id: opts.id },
    errors.element,
    titleInput ? h('div', { class: 'field' }, tr(h('label', { for: titleInput.id }), 'disputeScreen.optionTitle'), titleInput) : null,
    h('div', { class: 'field' }, tr(h('label', { for: text.id }), opts.label), text),
    h('div', { class: 'actions' }, button),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    if (titleInput && !titleInput.value.trim()) {
      errors.text('disputeScreen.required')
      titleInput.focus()
      return
    }
    if ((opts.required ?? true) && !text.value.trim()) {
      errors.text('disputeScreen.required')
      text.focus()
      return
    }
    void busy(button, async () => {
      try {
        await opts.work(text.value.trim(), titleInput?.value.trim() ?? '')
        announce(t(opts.done))
        await opts.reload()
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return form
}

const SUBJECT_KEYS: Record<string, MessageKey> = {
  draft_passage: 'disputeSubject.draft_passage',
  role_agreement: 'disputeSubject.role_agreement',
  milestone: 'disputeSubject.milestone',
}

/** The subject's title, best effort (null when it cannot be read). */
async function subjectTitle(kind: string, id: number, bodyId: number): Promise<string | null> {
  try {
    if (kind === 'draft_passage') return (await drafts.getDraft(id)).title
    if (kind === 'role_agreement') return (await agreements.get(id)).title
    if (kind === 'milestone') return (await governance.milestones(bodyId)).find((m) => m.id === id)?.title ?? null
  } catch {
    // the link still works without its title
  }
  return null
}

/** "About: <link to the subject>", the passage quoted under it. */
function subjectLink(d: DisputeDossier['dispute'], name: string | null): HTMLElement {
  const key = SUBJECT_KEYS[d.subject_kind] ?? 'disputeSubject.other'
  const link = h('a', { href: disputes.subjectPath(d), 'data-link': true, id: 'dispute-subject-link' }, name ?? `#${d.subject_id}`)
  return h('p', { class: 'dispute-subject', id: 'dispute-subject', 'data-kind': d.subject_kind }, tr(h('span', {}), key), ' ', link)
}

export function disputeScreen(app: App, disputeId: number): Screen {
  let title = t('disputeScreen.title')
  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      let role: string | null = null
      let subjectName: string | null = null
      let subjectLoaded = false
      const render = async (): Promise<void> => {
        let dossier: DisputeDossier
        try {
          dossier = await governance.dispute(disputeId)
          if (role === null) {
            const members = await directory.listMembers(dossier.dispute.body_id).catch(() => [])
            role = members.find((m) => m.person_id === me.id)?.role ?? ''
          }
        } catch (error) {
          main.replaceChildren(tr(h('h1', {}), 'disputeScreen.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
          return
        }
        const d = dossier.dispute
        if (!subjectLoaded) {
          subjectName = await subjectTitle(d.subject_kind, d.subject_id, d.body_id)
          subjectLoaded = true
        }
        title = d.title
        document.title = `${d.title} — ${t('app.name')}`
        const open = d.status === 'in_behandeling' || d.status === 'geescaleerd'
        const steer = role === 'chair' || role === 'secretariat'
        const writer = steer || role === 'member'
        const involved = !!me.party && d.parties.some((p) => p.code === me.party)
        const reload = async (): Promise<void> => {
          await render()
          // the screen was redrawn: put focus back at its heading, not on the lost button
          const heading = main.querySelector<HTMLElement>('h1')
          heading?.setAttribute('tabindex', '-1')
          heading?.focus()
        }
        const top = dossier.ladder.length ? Math.max(...dossier.ladder.map((l) => l.level)) : d.level
        const current = dossier.ladder.find((l) => l.level === d.level)

        // the ladder: an ordered list, the current level marked (text, not colour alone)
        const ladder = h(
          'ol',
          { class: 'ladder', id: 'ladder' },
          ...dossier.ladder.map((level) => {
            const here = level.level === d.level
            const passed = level.level < d.level
            return h(
              'li',
              { class: `ladder-level${here ? ' ladder-current' : ''}${passed ? ' ladder-passed' : ''}`, 'data-level': String(level.level), ...(here ? { 'aria-current': 'step' } : {}) },
              h('span', { class: 'ladder-name' }, level.name),
              ' ',
              tr(h('span', { class: 'muted' }), 'disputeScreen.responseDays', { days: level.response_days }),
              here ? tr(h('strong', { class: 'ladder-here' }), 'disputeScreen.currentLevel') : null,
              passed ? tr(h('span', { class: 'ladder-here muted' }), 'disputeScreen.passedLevel') : null,
            )
          }),
        )

        // positions per party
        const positions = h(
          'ul',
          { class: 'position-list', id: 'positions' },
          ...d.parties.map((p) => {
            const stated = dossier.positions.filter((pos) => pos.party === p.code).sort((a, b) => b.stated_at - a.stated_at)
            return h(
              'li',
              { 'data-party': p.code, class: 'position' },
              h('h3', { class: 'position-party' }, partyChip(p.code), p.code === d.raised_by_party ? tr(h('span', { class: 'muted' }), 'disputeScreen.raisedBy') : null),
              stated.length
                ? h(
                    'div',
                    {},
                    ...stated.map((pos) =>
                      h(
                        'blockquote',
                        { class: 'position-text' },
                        h('p', {}, pos.body),
                        h('footer', { class: 'muted' }, tr(h('span', {}), pos.with_mandate ? 'disputeScreen.statedMandate' : 'disputeScreen.stated', { name: pos.stated_by ?? '—', date: dateText(pos.stated_at), level: pos.level })),
                      ),
                    ),
                  )
                : tr(h('p', { class: 'muted', 'data-state': 'no-position' }), 'dispute.noPosition'),
            )
          }),
        )

        const options = dossier.options.length
          ? h('ul', { id: 'options', class: 'milestone-list' }, ...dossier.options.map((o) => h('li', {}, h('span', { class: 'milestone-title' }, o.title), ' ', o.party ? partyChip(o.party) : null, o.description ? h('p', {}, o.description) : null, h('span', { class: 'muted' }, `${o.proposed_by ?? '—'}, ${dateText(o.created_at)}`))))
          : tr(h('p', { class: 'muted', id: 'options' }), 'disputeScreen.noOptions')
        const comments = dossier.comments.length
          ? h('ul', { id: 'dispute-comments', class: 'milestone-list' }, ...dossier.comments.map((c) => h('li', {}, h('strong', {}, c.author ?? '—'), ' ', c.party ? partyChip(c.party) : null, h('p', {}, c.body), h('span', { class: 'muted' }, dateText(c.created_at)))))
          : tr(h('p', { class: 'muted', id: 'dispute-comments' }), 'disputeScreen.noComments')
        const history = h('ol', { id: 'dispute-history', class: 'milestone-list' }, ...dossier.events.map((e) => h('li', {}, h('span', {}, dateText(e.at)), ' — ', eventLabel(e.kind), ` (${t('disputeScreen.levelN', { level: e.level })}) `, e.actor, e.note && !e.note.startsWith('party:') ? `: ${e.note}` : '')))

        // steering: escalate, resolve (chair, secretariat); withdraw (raising party)
        const actions: HTMLElement[] = []
        if (open && steer) {
          const errors = messageBox()
          const note = h('textarea', { id: 'escalate-note', rows: 2 })
          const escalate = tr(h('button', { type: 'submit', class: 'button-primary', id: 'escalate-button' }), 'disputeScreen.escalate')
          const atTop = d.level >= top
          if (atTop) escalate.disabled = true
          const form = h(
            'form',
            { novalidate: true, class: 'stack', id: 'escalate-form' },
            errors.element,
            tr(h('h3', {}), 'disputeScreen.escalateTitle'),
            atTop ? tr(h('p', { class: 'hint' }), 'disputeScreen.atTop') : tr(h('p', { class: 'hint' }), 'disputeScreen.escalateHint', { name: dossier.ladder.find((l) => l.level === d.level + 1)?.name ?? '—' }),
            h('div', { class: 'field' }, tr(h('label', { for: note.id }), 'disputeScreen.note'), note),
            h('div', { class: 'actions' }, escalate),
          )
          form.addEventListener('submit', (event) => {
            event.preventDefault()
            void busy(escalate, async () => {
              try {
                await governance.escalate(disputeId, note.value.trim() || undefined)
                announce(t('disputeScreen.escalated'))
                await reload()
              } catch (error) {
                errors.error(error)
              }
            })
          })
          actions.push(form)
          actions.push(h('div', {}, tr(h('h3', {}), 'disputeScreen.resolveTitle'), textForm({ id: 'resolve-form', label: 'disputeScreen.decision', submit: 'disputeScreen.resolve', work: (text) => governance.resolve(disputeId, text), done: 'disputeScreen.resolved', reload })))
        }
        if (open && writer && me.party === d.raised_by_party) {
          actions.push(h('div', {}, tr(h('h3', {}), 'disputeScreen.withdrawTitle'), textForm({ id: 'withdraw-form', label: 'disputeScreen.note', submit: 'disputeScreen.withdraw', required: false, work: (text) => governance.withdraw(disputeId, text || undefined), done: 'disputeScreen.withdrawn', reload })))
        }

        const downloads = h(
          'ul',
          { class: 'download-list', id: 'dossier-downloads' },
          ...(['md', 'pdf', 'docx'] as const).map((ext) =>
            h('li', {}, tr(h('a', { href: `/api/disputes/${disputeId}/dossier.${ext}`, download: `geschil-${disputeId}.${ext}` }), `disputeScreen.download_${ext}`)),
          ),
        )

        main.replaceChildren(
          h('p', { class: 'back' }, h('a', { href: `/groups/${d.body_id}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: dossier.body_name }))),
          h('h1', {}, d.title),
          h(
            'p',
            { class: 'lead', id: 'dispute-status' },
            disputeChip(d.status),
            ' ',
            tr(h('span', { id: 'dispute-level', 'data-level': String(d.level) }), 'disputeScreen.levelNow', { level: d.level, name: current?.name ?? '—' }),
            open ? h('span', {}, ' · ', tr(h('strong', { id: 'dispute-deadline' }), 'disputeScreen.respondBy', { date: d.respond_by })) : null,
          ),
          subjectLink(d, subjectName),
          h('p', {}, d.description),
          d.passage ? h('figure', { class: 'dispute-passage', id: 'dispute-passage' }, tr(h('figcaption', {}), 'disputeSubject.passage'), h('blockquote', { class: 'position-text' }, d.passage)) : '',
          d.decision ? h('div', { class: 'alert alert-ok', id: 'dispute-decision' }, tr(h('strong', {}), d.status === 'besloten' ? 'disputeScreen.decisionLabel' : 'disputeScreen.withdrawNote'), h('p', {}, d.decision)) : '',
          section('dispute-ladder', 'disputeScreen.ladder', ladder),
          section(
            'dispute-positions',
            'disputeScreen.positions',
            positions,
            open && writer && involved
              ? h('div', {}, tr(h('h3', {}), 'disputeScreen.myPosition', { party: me.party ?? '' }), textForm({ id: 'position-form', label: 'disputeScreen.positionText', submit: 'disputeScreen.statePosition', work: (text) => governance.statePosition(disputeId, text), done: 'disputeScreen.positionStated', reload }))
              : null,
          ),
          section(
            'dispute-options',
            'disputeScreen.options',
            options,
            open && (writer || steer) ? h('details', {}, tr(h('summary', {}), 'disputeScreen.proposeOption'), textForm({ id: 'option-form', label: 'disputeScreen.optionDescription', submit: 'disputeScreen.proposeOption', withTitle: true, required: false, work: (text, optionTitle) => governance.proposeOption(disputeId, optionTitle, text), done: 'disputeScreen.optionAdded', reload })) : null,
          ),
          section(
            'dispute-comments-section',
            'disputeScreen.comments',
            comments,
            role ? textForm({ id: 'dispute-comment-form', label: 'disputeScreen.commentText', submit: 'disputeScreen.comment', work: (text) => governance.commentOnDispute(disputeId, text), done: 'disputeScreen.commented', reload }) : null,
          ),
          actions.length ? section('dispute-actions', 'disputeScreen.actions', ...actions) : '',
          section('dispute-dossier', 'disputeScreen.dossier', downloads),
          section('dispute-history-section', 'disputeScreen.history', history),
        )
      }
      await render()
    },
  }
}
