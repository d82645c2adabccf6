// /role-agreements/{id}: the address e-mails and webhooks give a role agreement. An agreement
// is shown on its working group's screen, so this looks up the group and goes there.
import { agreements } from '../api'
import type { App } from '../app'
import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { loading } from '../ui/widgets'

export function roleAgreementLinkScreen(app: App, id: number): Screen {
  return {
    title: () => t('agreementLink.title'),
    async mount(main) {
      main.replaceChildren(tr(h('h1', {}), 'agreementLink.title'), loading())
      try {
        const agreement = await agreements.get(id)
        app.navigate(`/groups/${agreement.body_id}#agreement-${agreement.id}`, { replace: true })
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'agreementLink.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
      }
    },
  }
}
