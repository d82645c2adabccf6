// /gast/{secret}: the link an invited organisation received signs its guest account in and
// goes on to the consultation. The secret leaves the address bar at once.
import { ApiError, consent } from '../../api'
import type { App } from '../../app'
import { t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { loading } from '../../ui/widgets'

export function guestScreen(app: App, secret: string): Screen {
  return {
    title: () => t('guest.title'),
    async mount(main) {
      main.append(tr(h('h1', {}), 'guest.title'), loading())
      // keep the secret out of the history
      history.replaceState(null, '', '/gast')
      try {
        const { consultation_id } = await consent.guestSession(secret)
        await app.refreshUser()
        app.navigate(`/consultaties/${consultation_id}`, { replace: true })
      } catch (error) {
        const expired = error instanceof ApiError && error.status === 401
        main.replaceChildren(
          tr(h('h1', {}), 'guest.title'),
          h('p', { class: 'alert alert-error', role: 'alert', id: 'guest-error' }, expired ? t('guest.invalid') : describeError(error)),
          h('p', {}, tr(h('a', { href: '/sign-in', 'data-link': true }), 'guest.signIn')),
        )
      }
    },
  }
}

/** Shown to a guest on any screen but their consultation. */
export function guestOnlyScreen(): Screen {
  return {
    title: () => t('guest.onlyTitle'),
    mount(main) {
      main.append(tr(h('h1', {}), 'guest.onlyTitle'), tr(h('p', { id: 'guest-only' }), 'guest.only'))
    },
  }
}
