// Creating (/groups/{id}/action-lines/new) and editing (/action-lines/{id}/edit) an action
// line: number, title, description, lead and contributing parties. Chair and secretariat only;
// the server refuses anyone else.
import { directory, programme, type ActionLine } from '../../api'
import type { OwnerInput } from '../../api/programme'
import type { App } from '../../app'
import { t, tr } from '../../i18n'
import type { Screen } from '../../router'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { busy, loading } from '../../ui/widgets'
import { formErrors, formField, ownersFieldset } from './form'

export function actionLineFormScreen(app: App, target: { bodyId: number } | { lineId: number }): Screen {
  const editing = 'lineId' in target
  let title = t(editing ? 'pm.line.editTitle' : 'pm.line.newTitle')
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let line: (ActionLine & { body_id: number }) | null = null
      let bodyId: number
      let parties: { code: string; name: string }[]
      let bodyName: string
      try {
        if ('lineId' in target) line = await programme.actionLine(target.lineId)
        bodyId = line ? line.body_id : (target as { bodyId: number }).bodyId
        const [body, all] = await Promise.all([directory.getBody(bodyId), directory.listParties()])
        const names = new Map(all.map((p) => [p.code, p.name]))
        parties = body.parties.map((p) => ({ code: p.code, name: names.get(p.code) ?? '' }))
        bodyName = body.name
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), editing ? 'pm.line.editTitle' : 'pm.line.newTitle'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = `${t(editing ? 'pm.line.editTitle' : 'pm.line.newTitle')} — ${bodyName}`
      const number = formField('pm.line.number', h('input', { type: 'text', id: 'line-number', autocomplete: 'off', value: line?.number ?? '' }), 'pm.line.numberHint')
      const name = formField('pm.line.name', h('input', { type: 'text', id: 'line-title', autocomplete: 'off', required: true, value: line?.title ?? '' }))
      const description = formField('pm.line.description', h('textarea', { id: 'line-description', rows: 4 }))
      description.control.value = line?.description ?? ''
      const current: OwnerInput[] = (line?.owners ?? []).map((o) => ({ party: o.code, role: o.role === 'lead' ? 'lead' : 'contributor' }))
      const owners = ownersFieldset('line', parties, current)
      const errors = formErrors({ number, title: name, description, owners })
      const submit = tr(h('button', { type: 'submit', class: 'button-primary' }), editing ? 'pm.save' : 'pm.line.create')
      const back = `/groups/${bodyId}/programme`
      const form = h(
        'form',
        { class: 'stack', novalidate: true, id: 'action-line-form' },
        errors.box,
        number.element,
        name.element,
        description.element,
        owners.element,
        h('div', { class: 'actions' }, submit, ' ', tr(h('a', { href: back, 'data-link': true }), 'pm.cancel')),
      )
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        errors.clear()
        const input = {
          number: number.control.value.trim(),
          title: name.control.value.trim(),
          description: description.control.value.trim(),
          owners: owners.read(),
        }
        if (!input.title) {
          errors.at('title', t('pm.required'))
          return
        }
        void busy(submit, async () => {
          try {
            if (line) await programme.updateActionLine(line.id, input)
            else await programme.createActionLine(bodyId, { ...input, ...(input.number ? {} : { number: undefined }) })
            announce(t(line ? 'pm.line.saved' : 'pm.line.created', { title: input.title }))
            app.navigate(back)
          } catch (error) {
            errors.show(error)
          }
        })
      })
      main.replaceChildren(
        h('p', { class: 'back' }, h('a', { href: back, 'data-link': true }, tr(h('span', {}), 'pm.backToProgramme', { name: bodyName }))),
        tr(h('h1', {}), editing ? 'pm.line.editTitle' : 'pm.line.newTitle'),
        h('section', { class: 'card narrow', 'aria-labelledby': 'action-line-form-title' }, tr(h('h2', { id: 'action-line-form-title', class: 'visually-hidden' }), editing ? 'pm.line.editTitle' : 'pm.line.newTitle'), form),
      )
    },
  }
}
