// Calendar feeds for the parties of a body: create one (its address is shown once; only a hash
// of its secret is stored), list the ones you made, revoke. People make feeds for their own
// party, administrators for any; the server decides either way.
import { inbox, type Body, type CalendarFeed, type Me, type Party } from '../../api'
import { t, tr, trAttr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, dateText, field, loading, messageBox, partyChip, select } from '../../ui/widgets'
import { copyRow } from './copy'

/** The parties of `body` the signed-in person may make a feed for. */
export function feedParties(body: Body, me: Me): string[] {
  const codes = body.parties.map((p) => p.code)
  if (me.is_admin) return codes
  return me.party && codes.includes(me.party) ? [me.party] : []
}

export function feedsPart(body: Body, me: Me, parties: Party[]): { element: HTMLElement; load(): Promise<void> } {
  const errors = messageBox()
  const listHolder = h('div', {}, loading())
  const reveal = h('div', { class: 'token-reveal', id: 'feed-reveal' })
  reveal.hidden = true
  const byId = new Map(parties.map((p) => [p.id, p]))
  const inBody = new Set(body.parties.map((p) => p.code))
  const allowed = feedParties(body, me)

  let form: HTMLElement
  let party: HTMLSelectElement | null = null
  if (allowed.length === 0) {
    form = tr(h('p', { class: 'hint', id: 'feed-not-allowed' }), 'bodySettings.feeds.notAllowed')
  } else {
    party = select(
      allowed.map((code) => [code, `${code} — ${parties.find((p) => p.code === code)?.name ?? code}`]),
      { id: 'feed-party' },
    )
    const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'feed-create' }), 'bodySettings.feeds.create')
    const created = h('form', { novalidate: true, class: 'grid-form', id: 'feed-form', 'aria-labelledby': 'feed-form-title' }, tr(h('h3', { id: 'feed-form-title' }), 'bodySettings.feeds.createTitle'), field('bodySettings.feeds.party', party), h('div', { class: 'actions' }, submit))
    created.addEventListener('submit', (event) => {
      event.preventDefault()
      const code = party?.value
      if (!code) return
      errors.clear()
      void busy(submit, async () => {
        try {
          const feed = await inbox.createPartyFeed(code)
          reveal.replaceChildren(
            tr(h('h3', { tabindex: -1, id: 'feed-reveal-title' }), 'bodySettings.feeds.created', { party: code }),
            tr(h('p', {}), 'bodySettings.feeds.once'),
            copyRow('feed-url', 'bodySettings.feeds.url', `${location.origin}${feed.path}`),
            tr(h('p', { class: 'hint' }), 'bodySettings.feeds.where'),
          )
          reveal.hidden = false
          reveal.querySelector<HTMLElement>('h3')?.focus()
          announce(t('bodySettings.feeds.created', { party: code }))
          await load()
        } catch (error) {
          errors.error(error)
        }
      })
    })
    form = created
  }

  const load = async (): Promise<void> => {
    let feeds: CalendarFeed[]
    try {
      feeds = await inbox.feeds()
    } catch (error) {
      errors.error(error)
      listHolder.replaceChildren()
      return
    }
    const mine = feeds.filter((feed) => feed.person_id === null && feed.revoked_at === null && feed.party_id !== null && inBody.has(byId.get(feed.party_id)?.code ?? ''))
    if (mine.length === 0) {
      listHolder.replaceChildren(tr(h('p', { class: 'muted' }), 'bodySettings.feeds.none'))
      return
    }
    listHolder.replaceChildren(
      h(
        'ul',
        { class: 'doc-list', id: 'party-feed-list' },
        ...mine.map((feed) => {
          const found = feed.party_id === null ? undefined : byId.get(feed.party_id)
          const code = found?.code ?? '—'
          const revoke = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'bodySettings.feeds.revoke'), 'aria-label', 'bodySettings.feeds.revokeOf', { party: code, date: dateText(feed.created_at) })
          revoke.addEventListener('click', () => {
            if (!window.confirm(t('bodySettings.feeds.confirmRevoke', { party: code }))) return
            void busy(revoke, async () => {
              try {
                await inbox.revokeFeed(feed.id)
                announce(t('bodySettings.feeds.revoked', { party: code }))
                await load()
                ;(party ?? listHolder.querySelector<HTMLElement>('button'))?.focus()
              } catch (error) {
                errors.error(error)
              }
            })
          })
          return h('li', { 'data-feed': String(feed.id) }, partyChip(code, found?.colour), ' ', tr(h('span', {}), 'bodySettings.feeds.item', { date: dateText(feed.created_at) }), ' ', revoke)
        }),
      ),
    )
  }

  return { element: h('div', {}, errors.element, reveal, listHolder, form), load }
}
