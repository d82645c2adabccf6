// The consultation for the body's people: who is invited (and inviting more: a guest gets a
// sign-in link that is shown only once), the responses with their comments and attachments,
// writing the summary of responses (a draft of its own), the report as PDF or DOCX, and
// withdrawing the consultation (withdraw.ts).
import { consent, directory, type Body, type Party } from '../../api'
import type { App } from '../../app'
import type { Consultation, ConsultationResponse, Invitee } from '../../api/consent'
import { t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { fieldError, invalidField, invalidMessage } from '../../ui/field-error'
import { busy, dateText, messageBox, partyChip, section } from '../../ui/widgets'
import { sizeText } from './labels'
import { withdrawSection } from './withdraw'

export function responseArticle(response: ConsultationResponse): HTMLElement {
  const a = response.attachment
  return h(
    'article',
    { class: 'consultation-response', 'data-response': String(response.id), 'aria-labelledby': `response-${response.id}-title` },
    h('h3', { id: `response-${response.id}-title` }, response.organisation),
    tr(h('p', { class: 'muted' }), 'consultation.submittedBy', { name: response.submitted_by_name ?? '—', date: dateText(response.submitted_at) }),
    h('p', { class: 'response-text' }, response.text),
    response.comments.length
      ? h(
          'ol',
          { class: 'response-comments' },
          ...response.comments.map((c) => h('li', {}, c.quote ? h('blockquote', { class: 'thread-quote' }, c.quote) : null, h('p', {}, c.body))),
        )
      : null,
    a
      ? h(
          'p',
          { class: 'response-attachment' },
          tr(h('span', {}), 'consultation.attachment'),
          ' ',
          trAttr(h('a', { href: consent.attachmentUrl(response.id), download: '', 'data-attachment': String(response.id) }, a.name), 'aria-label', 'consultation.downloadAttachment', { name: a.name }),
          h('span', { class: 'muted' }, ` (${sizeText(a.size)}, SHA-256 ${a.sha256.slice(0, 12)}…)`),
        )
      : null,
  )
}

export function manageView(app: App, consultation: Consultation, canSteer: boolean, reload: () => Promise<void>): HTMLElement[] {
  const c = consultation
  const parts: HTMLElement[] = []
  const withdrawn = c.status === 'ingetrokken'
  const withdrawPart = withdrawSection(c, canSteer, reload)
  if (withdrawn && withdrawPart) parts.push(withdrawPart)

  // invitees
  const inviteeRows = c.invitees.map((inv: Invitee) => {
    const remove = canSteer ? trAttr(tr(h('button', { type: 'button', class: 'button-quiet button-small', 'data-remove': String(inv.id) }), 'consultation.remove'), 'aria-label', 'consultation.removeLabel', { name: inv.name }) : null
    remove?.addEventListener('click', () =>
      void busy(remove, async () => {
        try {
          await consent.removeInvitee(c.id, inv.id)
          announce(t('consultation.removed', { name: inv.name }))
          await reload()
        } catch (error) {
          inviteErrors.error(error)
        }
      }),
    )
    return h(
      'tr',
      { 'data-invitee': String(inv.id) },
      h('th', { scope: 'row' }, inv.organisation, inv.party ? ' ' : null, inv.party ? partyChip(inv.party) : null),
      h('td', {}, inv.name, inv.email ? h('span', { class: 'muted' }, ` <${inv.email}>`) : null),
      h('td', {}, tr(h('span', {}), inv.is_guest ? 'consultation.guest' : 'consultation.account')),
      h('td', {}, inv.responded_at ? dateText(inv.responded_at) : tr(h('span', { class: 'muted' }), 'consultation.noResponse')),
      canSteer ? h('td', {}, remove) : null,
    )
  })
  const inviteErrors = messageBox()
  const linkSlot = h('div', { id: 'invite-link-slot' })
  const table = c.invitees.length
    ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table', id: 'invitee-table' },
          tr(h('caption', { class: 'visually-hidden' }), 'consultation.invitees'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              tr(h('th', { scope: 'col' }), 'consultation.organisation'),
              tr(h('th', { scope: 'col' }), 'consultation.contact'),
              tr(h('th', { scope: 'col' }), 'consultation.accountKind'),
              tr(h('th', { scope: 'col' }), 'consultation.respondedColumn'),
              canSteer ? tr(h('th', { scope: 'col' }), 'agreementEdit.actions') : null,
            ),
          ),
          h('tbody', {}, ...inviteeRows),
        ),
      )
    : tr(h('p', { class: 'muted' }), 'consultation.noInvitees')
  parts.push(section('invitees', 'consultation.invitees', inviteErrors.element, linkSlot, table, canSteer && !withdrawn ? inviteForm(c, reload) : null))

  // responses
  const responsesHolder = h('div', { id: 'responses-list' }, tr(h('p', { class: 'muted' }), 'app.loading'))
  void consent
    .responses(c.id)
    .then((list) => responsesHolder.replaceChildren(...(list.length ? list.map(responseArticle) : [tr(h('p', { class: 'muted' }), 'consultation.noResponses')])))
    .catch((error: unknown) => responsesHolder.replaceChildren(h('p', { class: 'alert alert-error', role: 'alert' }, error instanceof Error ? error.message : String(error))))
  parts.push(section('responses', 'consultation.responses', responsesHolder))

  // summary and report
  const summaryErrors = messageBox()
  let summary: HTMLElement | null = null
  if (c.summary_draft_id) {
    summary = tr(h('a', { href: `/drafts/${c.summary_draft_id}`, 'data-link': true, id: 'summary-link' }), 'consultation.openSummary')
  } else if (canSteer) {
    const write = tr(h('button', { type: 'button', class: 'button-primary', id: 'summary-write' }), 'consultation.writeSummary')
    write.addEventListener('click', () =>
      void busy(write, async () => {
        try {
          const draft = await consent.createSummary(c.id)
          announce(t('consultation.summaryCreated'))
          app.navigate(`/drafts/${draft.id}`)
        } catch (error) {
          summaryErrors.error(error)
        }
      }),
    )
    summary = write
  }
  const pdf = trAttr(h('a', { href: consent.reportUrl(c.id, 'pdf'), download: '', id: 'report-pdf' }, 'PDF'), 'aria-label', 'consultation.reportPdf')
  const docx = trAttr(h('a', { href: consent.reportUrl(c.id, 'docx'), download: '', id: 'report-docx' }, 'DOCX'), 'aria-label', 'consultation.reportDocx')
  parts.push(
    section(
      'report',
      'consultation.reportTitle',
      tr(h('p', { class: 'hint' }), 'consultation.reportIntro'),
      summaryErrors.element,
      summary ? h('p', {}, summary) : null,
      h('p', { class: 'export-links' }, tr(h('span', {}), 'consultation.download'), ' ', pdf, ' ', docx),
    ),
  )
  if (!withdrawn && withdrawPart) parts.push(withdrawPart)
  return parts
}

function inviteForm(c: Consultation, reload: () => Promise<void>): HTMLElement {
  const box = messageBox()
  const organisation = h('input', { type: 'text', id: 'invite-organisation', maxlength: 300, autocomplete: 'organization' })
  const party = h('select', { id: 'invite-party' })
  party.append(tr(h('option', { value: '' }), 'consultation.noParty'))
  void Promise.all([directory.listParties(), directory.getBody(c.body_id)])
    .then(([parties, body]: [Party[], Body]) => {
      const members = new Set(body.parties.filter((p) => p.participation === 'member').map((p) => p.code))
      for (const p of parties.filter((p) => !members.has(p.code))) party.append(h('option', { value: p.code }, `${p.code} — ${p.name}`))
    })
    .catch(() => undefined)
  const name = h('input', { type: 'text', id: 'invite-name', maxlength: 200, autocomplete: 'name', required: true })
  const email = h('input', { type: 'email', id: 'invite-email', maxlength: 320, autocomplete: 'email', required: true })
  const errorsOf = { name: fieldError(name), email: fieldError(email), organisation: fieldError(organisation), party: fieldError(party) }
  const orgHint = tr(h('p', { class: 'hint', id: 'invite-organisation-hint' }), 'consultation.organisationHint')
  organisation.setAttribute('aria-describedby', orgHint.id)
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'invite-submit' }), 'consultation.invite')
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id: 'invite-form' },
    box.element,
    h('div', { class: 'field' }, tr(h('label', { for: party.id }), 'consultation.party'), party, errorsOf.party.element),
    h('div', { class: 'field' }, tr(h('label', { for: organisation.id }), 'consultation.organisation'), orgHint, organisation, errorsOf.organisation.element),
    h('div', { class: 'field' }, tr(h('label', { for: name.id }), 'consultation.contactName'), name, errorsOf.name.element),
    h('div', { class: 'field' }, tr(h('label', { for: email.id }), 'consultation.email'), email, errorsOf.email.element),
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    box.clear()
    Object.values(errorsOf).forEach((e) => e.clear())
    if (!party.value && !organisation.value.trim()) {
      errorsOf.organisation.showKey('consultation.organisationNeeded')
      organisation.focus()
      return
    }
    if (!name.value.trim()) {
      errorsOf.name.showKey('error.required', { field: t('consultation.contactName') })
      name.focus()
      return
    }
    if (!email.value.trim() || !email.value.includes('@')) {
      errorsOf.email.showKey('error.required', { field: t('consultation.email') })
      email.focus()
      return
    }
    void busy(submit, async () => {
      try {
        const result = await consent.invite(c.id, {
          name: name.value.trim(),
          email: email.value.trim(),
          ...(organisation.value.trim() ? { organisation: organisation.value.trim() } : {}),
          ...(party.value ? { party: party.value } : {}),
        })
        form.reset()
        await reload()
        // the link in the reloaded screen's slot
        const slot = document.getElementById('invite-link-slot')
        if (slot) showLink(slot, result.invitee, result.link)
      } catch (error) {
        const field = invalidField(error)
        const target = field ? errorsOf[field as keyof typeof errorsOf] : undefined
        if (target) target.show(invalidMessage(error))
        else box.error(error)
      }
    })
  })
  return h('details', { class: 'invite-new', id: 'invite-new', open: c.invitees.length === 0 }, tr(h('summary', {}), 'consultation.inviteTitle'), form)
}

/** The once-shown sign-in link of a new guest (or a note that the person signs in as usual). */
export function showLink(slot: HTMLElement, invitee: Invitee, link: string | null): void {
  if (!link) {
    slot.replaceChildren(tr(h('p', { class: 'alert', role: 'status', id: 'invite-no-link' }), 'consultation.invitedAccount', { name: invitee.name }))
    announce(t('consultation.invitedAccount', { name: invitee.name }))
    return
  }
  const full = new URL(link, location.origin).href
  const input = h('input', { type: 'text', id: 'invite-link', readonly: true, value: full, class: 'token-value' })
  const copy = tr(h('button', { type: 'button', class: 'button-quiet', id: 'invite-link-copy' }), 'consultation.copyLink')
  const copied = h('span', { class: 'muted', 'aria-live': 'polite' })
  copy.addEventListener('click', () => {
    input.select()
    void navigator.clipboard
      ?.writeText(full)
      .then(() => tr(copied, 'consultation.copied'))
      .catch(() => tr(copied, 'consultation.copyManually'))
  })
  slot.replaceChildren(
    h(
      'div',
      { class: 'token-reveal', id: 'invite-link-box', role: 'region', 'aria-labelledby': 'invite-link-title' },
      tr(h('h3', { id: 'invite-link-title' }), 'consultation.linkTitle', { name: invitee.name }),
      tr(h('p', { id: 'invite-link-once', class: 'link-once' }), 'consultation.linkOnce'),
      h('div', { class: 'field' }, tr(h('label', { for: input.id }), 'consultation.link'), h('div', { class: 'token-row' }, input, copy)),
      copied,
    ),
  )
  input.setAttribute('aria-describedby', 'invite-link-once')
  announce(t('consultation.linkShown', { name: invitee.name }))
  input.focus()
  input.select()
}
