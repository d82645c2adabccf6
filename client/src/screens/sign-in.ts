// Sign-in: e-mail and password; errors in plain words (wrong credentials, too many attempts,
// server unreachable), linked to the form for screen readers.
import { session } from '../api'
import type { App } from '../app'
import { t, tr, type MessageKey } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'

function field(id: string, label: MessageKey, input: HTMLInputElement): HTMLElement {
  input.id = id
  return h('div', { class: 'field' }, tr(h('label', { for: id }), label), input)
}

/** Only same-app paths are followed after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

export function signInScreen(app: App, query: URLSearchParams): Screen {
  return {
    title: () => t('signIn.title'),
    mount(main) {
      if (app.me) {
        app.navigate(safeNext(query.get('next')), { replace: true })
        return
      }
      const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, spellcheck: 'false' })
      const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true })
      const errorBox = h('div', { class: 'alert alert-error', id: 'sign-in-error', role: 'alert', tabindex: -1 })
      errorBox.hidden = true
      const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), 'signIn.submit')
      const form = h(
        'form',
        { class: 'card form', novalidate: true, 'aria-labelledby': 'sign-in-title' },
        errorBox,
        field('sign-in-email', 'signIn.email', email),
        field('sign-in-password', 'signIn.password', password),
        h('div', { class: 'actions' }, submit),
      )

      const showError = (message: string, focus: HTMLElement | null): void => {
        errorBox.replaceChildren(tr(h('p', { class: 'alert-title' }), 'signIn.failed'), h('p', {}, message))
        errorBox.hidden = false
        form.setAttribute('aria-describedby', 'sign-in-error')
        for (const input of [email, password]) input.setAttribute('aria-invalid', String(input === focus))
        ;(focus ?? errorBox).focus()
      }

      form.addEventListener('submit', async (event) => {
        event.preventDefault()
        for (const [input, label] of [[email, 'signIn.email'], [password, 'signIn.password']] as const) {
          if (!input.value.trim()) {
            showError(t('error.required', { field: t(label) }), input)
            return
          }
        }
        submit.disabled = true
        tr(submit, 'signIn.busy')
        try {
          await session.signIn(email.value.trim(), password.value)
          await app.refreshUser()
          app.navigate(safeNext(query.get('next')), { replace: true })
        } catch (error) {
          password.value = ''
          showError(describeError(error, 'sign-in'), null)
        } finally {
          submit.disabled = false
          tr(submit, 'signIn.submit')
        }
      })

      main.append(
        h(
          'div',
          { class: 'narrow' },
          tr(h('h1', { id: 'sign-in-title' }), 'signIn.title'),
          tr(h('p', { class: 'lead' }), 'signIn.intro'),
          form,
        ),
      )
      if (query.has('unreachable')) showError(t('error.unreachable'), null)
      else if (query.has('expired')) showError(t('error.sessionExpired'), null)
      if (query.has('signed-out')) announce(t('signIn.signedOut'))
    },
  }
}
