import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { h } from '../ui/dom'

export function notFoundScreen(): Screen {
  return {
    title: () => t('notFound.title'),
    mount(main) {
      main.append(
        tr(h('h1', {}), 'notFound.title'),
        tr(h('p', {}), 'notFound.body'),
        h('p', {}, tr(h('a', { href: '/', 'data-link': true }), 'notFound.home')),
      )
    },
  }
}
