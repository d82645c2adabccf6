// The settings of a body, /groups/{id}/settings, for its chair, its secretariat and
// administrators: the escalation ladder, webhooks with their delivery log, and calendar feeds
// for the body's parties, the public progress page, and for administrators the body's archive. Everyone else is told
// plainly that these settings are not theirs
// (the server refuses them too).
import { ApiError, directory, settings, type Body, type Member, type Party } from '../api'
import type { App } from '../app'
import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { loading, section } from '../ui/widgets'
import { archivePart } from './body-settings/archive'
import { consentPart } from './body-settings/consent'
import { feedsPart } from './body-settings/feeds'
import { ladderPart } from './body-settings/ladder'
import { publicPagePart } from './body-settings/public-page'
import { webhooksPart } from './body-settings/webhooks'
import './body-settings/body-settings.css'

/** Whether `members` make the signed-in person one who manages the body's settings. */
export function managesSettings(isAdmin: boolean, myRole: Member['role'] | null): boolean {
  return isAdmin || myRole === 'chair' || myRole === 'secretariat'
}

export function bodySettingsScreen(app: App, bodyId: number): Screen {
  let name: string | null = null
  return {
    title: () => (name ? t('bodySettings.title', { name }) : t('bodySettings.titlePlain')),
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      const back = h('p', { class: 'back' }, tr(h('a', { href: `/groups/${bodyId}`, 'data-link': true }), 'bodySettings.back'))
      const refuse = (message: string | null): void => {
        main.replaceChildren(
          back,
          tr(h('h1', {}), 'bodySettings.titlePlain'),
          message === null ? tr(h('p', { class: 'alert alert-error', role: 'alert', id: 'settings-refused' }), 'bodySettings.refused') : h('p', { class: 'alert alert-error', role: 'alert' }, message),
        )
      }
      let body: Body
      let members: Member[]
      let parties: Party[]
      try {
        ;[body, members, parties] = await Promise.all([directory.getBody(bodyId), directory.listMembers(bodyId), directory.listParties()])
      } catch (error) {
        refuse(error instanceof ApiError && error.status === 403 ? null : describeError(error))
        return
      }
      name = body.name
      const myRole = members.find((m) => m.person_id === me.id)?.role ?? null
      if (!managesSettings(me.is_admin, myRole)) {
        refuse(null)
        return
      }
      let forums: settings.LadderForum[]
      try {
        forums = await settings.ladderForums(bodyId)
      } catch (error) {
        // the server has the last word on who manages a body
        refuse(error instanceof ApiError && error.status === 403 ? null : describeError(error))
        return
      }
      const ladder = ladderPart(bodyId, forums)
      const webhooks = webhooksPart(bodyId)
      const feeds = feedsPart(body, me, parties)
      const gate = consentPart(bodyId)
      const publicPage = publicPagePart(bodyId)
      main.replaceChildren(
        back,
        tr(h('h1', {}), 'bodySettings.title', { name: body.name }),
        tr(h('p', { class: 'lead' }), 'bodySettings.intro'),
        section('settings-consent', 'gate.title', tr(h('p', { class: 'hint' }), 'gate.intro'), gate.element),
        section('settings-ladder', 'bodySettings.ladder.title', tr(h('p', { class: 'hint' }), 'bodySettings.ladder.intro'), ladder.element),
        section('settings-webhooks', 'bodySettings.webhooks.title', tr(h('p', { class: 'hint' }), 'bodySettings.webhooks.intro'), webhooks.element),
        section('settings-party-feeds', 'bodySettings.feeds.title', tr(h('p', { class: 'hint' }), 'bodySettings.feeds.intro'), feeds.element),
        section('settings-public-page', 'publicPage.title', tr(h('p', { class: 'hint' }), 'publicPage.intro'), publicPage.element),
      )
      if (me.is_admin) main.append(section('settings-archive', 'archive.title', archivePart(bodyId, body.name).element))
      await Promise.all([ladder.load(), webhooks.load(), feeds.load(), gate.load(), publicPage.load()])
    },
  }
}
