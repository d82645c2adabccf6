// The frame around every screen: skip link, header (name, navigation, user, language, sign-out),
// <main>, footer and the live region.
import type { Me } from '../api'
import { getLang, setLang, tr, trAttr, type Lang } from '../i18n'
import { mountAnnouncer } from './announce'
import { liveInbox, type LiveInbox } from './live-inbox'
import { h } from './dom'

export interface Shell {
  main: HTMLElement
  inbox: LiveInbox
  setUser(me: Me | null): void
}

export function mountShell(root: HTMLElement, onSignOut: () => void): Shell {
  const skip = tr(h('a', { class: 'skip-link', href: '#main' }), 'skip.toMain')
  skip.addEventListener('click', (event) => {
    event.preventDefault()
    main.focus()
    main.scrollIntoView()
  })

  const langButton = h('button', { type: 'button', class: 'button-quiet', id: 'lang-switch' })
  tr(langButton, 'lang.other')
  const updateLangButton = (): void => {
    langButton.lang = getLang() === 'nl' ? 'en' : 'nl'
  }
  trAttr(langButton, 'aria-label', 'lang.switchLabel')
  updateLangButton()
  langButton.addEventListener('click', () => {
    const next: Lang = getLang() === 'nl' ? 'en' : 'nl'
    setLang(next)
    updateLangButton()
  })

  const userName = h('span', { class: 'user-name' })
  const signOut = tr(h('button', { type: 'button', class: 'button-quiet', id: 'sign-out' }), 'header.signOut')
  signOut.addEventListener('click', onSignOut)
  const userBox = h('div', { class: 'user-box' }, userName, signOut)

  const inbox = liveInbox()
  const adminItem = h('li', {}, tr(h('a', { href: '/admin', 'data-link': true }), 'nav.admin'))
  const nav = trAttr(
    h(
      'nav',
      { class: 'main-nav' },
      h(
        'ul',
        {},
        h('li', {}, tr(h('a', { href: '/', 'data-link': true }), 'nav.home')),
        inbox.item,
        h('li', {}, tr(h('a', { href: '/calendar', 'data-link': true }), 'nav.calendar')),
        h('li', {}, tr(h('a', { href: '/decisions', 'data-link': true }), 'nav.decisions')),
        h('li', {}, tr(h('a', { href: '/programme', 'data-link': true }), 'nav.monitor')),
        h('li', {}, tr(h('a', { href: '/settings', 'data-link': true }), 'nav.settings')),
        adminItem,
      ),
    ),
    'aria-label',
    'nav.label',
  )

  const brand = h('a', { class: 'brand', href: '/', 'data-link': true }, tr(h('span', {}), 'app.name'))
  const header = h(
    'header',
    { class: 'app-header' },
    brand,
    nav,
    h('div', { class: 'header-tools' }, userBox, langButton),
  )
  const main = h('main', { id: 'main', tabindex: -1, class: 'app-main' })
  const footer = h('footer', { class: 'app-footer' }, tr(h('p', {}), 'footer.text'))

  root.replaceChildren(skip, header, main, footer)
  mountAnnouncer(root)
  document.documentElement.lang = getLang()

  return {
    main,
    inbox,
    setUser(me) {
      // a guest reaches only its consultation: no navigation to anything else
      const guest = me?.is_guest === true
      if (me && !guest) inbox.start()
      else inbox.stop()
      nav.hidden = me === null || guest
      if (guest) brand.removeAttribute('href')
      else brand.setAttribute('href', '/')
      userBox.hidden = me === null
      adminItem.hidden = !me?.is_admin
      if (me) tr(userName, 'header.signedInAs', { name: me.name })
    },
  }
}
