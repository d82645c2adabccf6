// A consultation, /consultaties/{id}: for the body's people its invitees, responses, summary
// and report (manage.ts); for an invited organisation the text, the question and the response
// form (respond.ts). Guests reach only this screen.
import { ApiError, consent, directory } from '../../api'
import type { App } from '../../app'
import type { Consultation } from '../../api/consent'
import { formatDay, t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { loading } from '../../ui/widgets'
import { consultationChip } from './labels'
import { manageView } from './manage'
import { respondView } from './respond'
import '../draft/consent.css'

export function consultationScreen(app: App, id: number): Screen {
  let title = t('consultation.screenTitle')
  return {
    title: () => title,
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      const render = async (): Promise<void> => {
        let c: Consultation
        try {
          c = await consent.consultation(id)
        } catch (error) {
          title = t('consultation.screenTitle')
          main.replaceChildren(
            tr(h('h1', {}), 'consultation.screenTitle'),
            h('p', { class: 'alert alert-error', role: 'alert' }, error instanceof ApiError && error.status === 404 ? t('consultation.notFound') : describeError(error)),
          )
          return
        }
        title = c.title
        const invitee = me.is_guest === true || c.my_invitee_id !== null
        let canSteer = false
        if (!invitee) {
          try {
            const members = await directory.listMembers(c.body_id)
            const role = members.find((m) => m.person_id === me.id)?.role
            canSteer = role === 'chair' || role === 'secretariat'
          } catch {
            canSteer = false
          }
        }
        const head = [
          invitee ? null : h('p', { class: 'back' }, tr(h('a', { href: `/drafts/${c.draft_id}#consultations`, 'data-link': true }), 'consultation.backToDraft', { title: c.draft_title })),
          h('h1', {}, c.title),
          h(
            'p',
            { class: 'lead consultation-meta' },
            consultationChip(c.status),
            ' ',
            tr(h('span', {}), 'consultation.meta', { body: c.body_name, draft: c.draft_title, version: c.version_name, date: formatDay(c.closes_on) }),
          ),
          invitee ? tr(h('p', {}), 'consultation.inviteeIntro', { body: c.body_name }) : null,
          c.question
            ? h('section', { class: 'card consultation-question', 'aria-labelledby': 'consultation-question-title' }, tr(h('h2', { id: 'consultation-question-title' }), 'consultation.question'), h('p', { id: 'consultation-question' }, c.question))
            : null,
        ]
        const body = invitee ? await respondView(c, render) : manageView(app, c, canSteer, render)
        main.replaceChildren(...head.filter((x): x is HTMLElement => x !== null), ...body)
        document.title = `${title} — ${t('app.name')}`
      }
      await render()
    },
  }
}
