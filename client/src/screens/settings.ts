// Settings: change password; personal API tokens (a new token is shown once; revoke).
import { account, inbox, type ApiToken, type CalendarFeed, type NotificationSettings, type TokenScope } from '../api'
import type { App } from '../app'
import { t, tr, trAttr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { busy, dateText, field, loading, messageBox, section, select } from '../ui/widgets'

const MIN_PASSWORD = 12

function passwordForm(): HTMLElement {
  const errors = messageBox()
  const done = h('p', { class: 'alert alert-ok', role: 'status' })
  done.hidden = true
  const current = h('input', { type: 'password', autocomplete: 'current-password', id: 'pw-current' })
  const next = h('input', { type: 'password', autocomplete: 'new-password', id: 'pw-new', minlength: String(MIN_PASSWORD) })
  const repeat = h('input', { type: 'password', autocomplete: 'new-password', id: 'pw-repeat' })
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'settings.changePassword')
  const form = h(
    'form',
    { novalidate: true },
    errors.element,
    done,
    field('settings.currentPassword', current),
    field('settings.newPassword', next, 'settings.passwordHint'),
    field('settings.repeatPassword', repeat),
    h('div', { class: 'actions' }, submit),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    done.hidden = true
    for (const input of [current, next, repeat]) input.removeAttribute('aria-invalid')
    const invalid = (input: HTMLInputElement, show: () => void): void => {
      show()
      input.setAttribute('aria-invalid', 'true')
      input.focus()
    }
    if (!current.value) return invalid(current, () => errors.text('error.required', { field: t('settings.currentPassword') }))
    if (next.value.length < MIN_PASSWORD) return invalid(next, () => errors.text('settings.tooShort'))
    if (next.value !== repeat.value) return invalid(repeat, () => errors.text('settings.mismatch'))
    void busy(submit, async () => {
      try {
        await account.changePassword(current.value, next.value)
        form.reset()
        errors.clear()
        tr(done, 'settings.passwordChanged')
        done.hidden = false
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return form
}

function tokensPart(): { element: HTMLElement; load(): Promise<void> } {
  const errors = messageBox()
  const listHolder = h('div', {}, loading())
  const reveal = h('div', { class: 'token-reveal', id: 'token-reveal' })
  reveal.hidden = true
  const name = h('input', { type: 'text', id: 'token-name', autocomplete: 'off' })
  const scope = select(
    [
      ['read', 'settings.scopeRead', true],
      ['write', 'settings.scopeWrite', true],
    ],
    { id: 'token-scope' },
  )
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'settings.createToken')
  const form = h(
    'form',
    { novalidate: true, class: 'grid-form', 'aria-labelledby': 'token-form-title' },
    tr(h('h3', { id: 'token-form-title' }), 'settings.createToken'),
    field('settings.tokenName', name),
    field('settings.tokenScope', scope),
    h('div', { class: 'actions' }, submit),
  )

  const load = async (): Promise<void> => {
    let tokens: ApiToken[]
    try {
      tokens = await account.listTokens()
    } catch (error) {
      errors.error(error)
      return
    }
    if (tokens.length === 0) {
      listHolder.replaceChildren(tr(h('p', { class: 'muted' }), 'settings.noTokens'))
      return
    }
    listHolder.replaceChildren(
      h(
        'table',
        { class: 'table', id: 'token-table' },
        tr(h('caption', { class: 'visually-hidden' }), 'settings.tokensTitle'),
        h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), 'settings.tokenName'), tr(h('th', { scope: 'col' }), 'settings.tokenScope'), tr(h('th', { scope: 'col' }), 'settings.created'), tr(h('th', { scope: 'col' }), 'admin.actions'))),
        h(
          'tbody',
          {},
          ...tokens.map((token) => {
            const revoke = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'settings.revoke'), 'aria-label', 'settings.revokeOf', { name: token.name })
            revoke.addEventListener('click', () => {
              if (!window.confirm(t('settings.confirmRevoke', { name: token.name }))) return
              void busy(revoke, async () => {
                try {
                  await account.revokeToken(token.id)
                  announce(t('settings.revoked'))
                  await load()
                } catch (error) {
                  errors.error(error)
                }
              })
            })
            return h('tr', { 'data-token': String(token.id) }, h('td', {}, token.name), tr(h('td', {}), token.scope === 'write' ? 'settings.scopeWrite' : 'settings.scopeRead'), h('td', {}, dateText(token.created_at)), h('td', {}, revoke))
          }),
        ),
      ),
    )
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!name.value.trim()) {
      errors.text('error.required', { field: t('settings.tokenName') })
      name.setAttribute('aria-invalid', 'true')
      name.focus()
      return
    }
    name.removeAttribute('aria-invalid')
    void busy(submit, async () => {
      try {
        const created = await account.createToken(name.value.trim(), scope.value as TokenScope)
        form.reset()
        errors.clear()
        const value = h('input', { type: 'text', readonly: true, id: 'token-value', class: 'token-value' })
        value.value = created.token
        const copy = tr(h('button', { type: 'button', class: 'button-quiet' }), 'settings.copy')
        copy.addEventListener('click', () => {
          value.select()
          void navigator.clipboard?.writeText(created.token).then(
            () => announce(t('settings.copied')),
            () => announce(t('settings.copyManually')),
          )
        })
        reveal.replaceChildren(
          tr(h('h3', { tabindex: -1, id: 'token-reveal-title' }), 'settings.tokenCreated', { name: created.name }),
          tr(h('p', {}), 'settings.tokenOnce'),
          h('div', { class: 'field' }, tr(h('label', { for: 'token-value' }), 'settings.tokenValue'), h('div', { class: 'token-row' }, value, copy)),
        )
        reveal.hidden = false
        reveal.querySelector<HTMLElement>('h3')?.focus()
        await load()
      } catch (error) {
        errors.error(error)
      }
    })
  })

  return { element: h('div', {}, errors.element, reveal, listHolder, form), load }
}

/** E-mail delivery and language of notifications. */
function notificationsPart(): { element: HTMLElement; load(): Promise<void> } {
  const errors = messageBox()
  const done = h('p', { class: 'alert alert-ok', role: 'status' })
  done.hidden = true
  const email = select(
    [
      ['immediate', 'settings.emailImmediate', true],
      ['daily_digest', 'settings.emailDigest', true],
      ['off', 'settings.emailOff', true],
    ],
    { id: 'notify-email' },
  )
  const language = select(
    [
      ['nl', 'Nederlands'],
      ['en', 'English'],
    ],
    { id: 'notify-language' },
  )
  const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'common.save')
  const form = h('form', { novalidate: true, class: 'grid-form' }, errors.element, done, field('settings.email', email), field('settings.language', language), h('div', { class: 'actions' }, submit))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    done.hidden = true
    void busy(submit, async () => {
      try {
        await inbox.saveSettings({ email: email.value as NotificationSettings['email'], language: language.value as NotificationSettings['language'] })
        errors.clear()
        tr(done, 'settings.notificationsSaved')
        done.hidden = false
      } catch (error) {
        errors.error(error)
      }
    })
  })
  return {
    element: form,
    async load() {
      try {
        const current = await inbox.settings()
        email.value = current.email
        language.value = current.language
      } catch (error) {
        errors.error(error)
      }
    },
  }
}

/** Personal calendar feeds (iCalendar, secret address shown once). */
function feedsPart(): { element: HTMLElement; load(): Promise<void> } {
  const errors = messageBox()
  const listHolder = h('div', {})
  const reveal = h('div', { class: 'token-reveal', id: 'feed-reveal' })
  reveal.hidden = true
  const create = tr(h('button', { type: 'button', class: 'button-primary' }), 'settings.createFeed')
  const load = async (): Promise<void> => {
    let feeds: CalendarFeed[]
    try {
      feeds = await inbox.feeds()
    } catch (error) {
      errors.error(error)
      return
    }
    const active = feeds.filter((feed) => feed.revoked_at === null)
    listHolder.replaceChildren(
      active.length === 0
        ? tr(h('p', { class: 'muted' }), 'settings.noFeeds')
        : h(
            'ul',
            { class: 'doc-list', id: 'feed-list' },
            ...active.map((feed) => {
              const revoke = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'settings.revoke'), 'aria-label', 'settings.revokeFeed', { date: dateText(feed.created_at) })
              revoke.addEventListener('click', () =>
                void busy(revoke, async () => {
                  try {
                    await inbox.revokeFeed(feed.id)
                    announce(t('settings.feedRevoked'))
                    await load()
                  } catch (error) {
                    errors.error(error)
                  }
                }),
              )
              return h('li', {}, tr(h('span', {}), feed.party_id ? 'settings.partyFeed' : 'settings.personalFeed'), h('span', { class: 'muted' }, dateText(feed.created_at)), revoke)
            }),
          ),
    )
  }
  create.addEventListener('click', () =>
    void busy(create, async () => {
      try {
        const created = await inbox.createFeed()
        const value = h('input', { type: 'text', readonly: true, id: 'feed-url', class: 'token-value' })
        value.value = `${location.origin}${created.path}`
        reveal.replaceChildren(tr(h('p', {}), 'settings.feedOnce'), h('div', { class: 'field' }, tr(h('label', { for: 'feed-url' }), 'settings.feedUrl'), value))
        reveal.hidden = false
        value.focus()
        value.select()
        await load()
      } catch (error) {
        errors.error(error)
      }
    }),
  )
  return { element: h('div', {}, errors.element, reveal, listHolder, h('div', { class: 'actions' }, create)), load }
}

export function settingsScreen(app: App): Screen {
  return {
    title: () => t('settings.title'),
    async mount(main) {
      void app
      const tokens = tokensPart()
      main.append(
        tr(h('h1', {}), 'settings.title'),
        section('settings-password', 'settings.passwordTitle', passwordForm()),
        section('settings-tokens', 'settings.tokensTitle', tr(h('p', { class: 'hint' }), 'settings.tokensIntro'), tokens.element),
      )
      const notifications = notificationsPart()
      const feeds = feedsPart()
      const notificationsSection = section('settings-notifications', 'settings.notificationsTitle', notifications.element)
      const feedsSection = section('settings-feeds', 'settings.feedsTitle', tr(h('p', { class: 'hint' }), 'settings.feedsIntro'), feeds.element)
      // the right of access: everything held about the signed-in person, as a JSON download
      const dataSection = section(
        'settings-data',
        'settings.myDataTitle',
        tr(h('p', { class: 'hint' }), 'settings.myDataIntro'),
        tr(h('a', { href: '/api/me/data', download: 'polder-mijn-gegevens.json', id: 'download-my-data', class: 'button-quiet' }), 'settings.downloadMyData'),
      )
      main.append(notificationsSection, feedsSection, dataSection)
      await Promise.all([tokens.load(), notifications.load(), feeds.load()])
    },
  }
}
