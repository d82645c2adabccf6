// A read-only value (a secret, a feed address) with a copy button, for values shown once.
import { t, tr, trAttr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'

export function copyRow(id: string, label: MessageKey, value: string): HTMLElement {
  const input = h('input', { type: 'text', readonly: true, id, class: 'token-value', spellcheck: 'false' })
  input.value = value
  const copy = trAttr(tr(h('button', { type: 'button', class: 'button-quiet' }), 'settings.copy'), 'aria-label', 'bodySettings.copyOf', { what: t(label) })
  copy.addEventListener('click', () => {
    input.select()
    const done = navigator.clipboard?.writeText(value)
    if (!done) return announce(t('bodySettings.copyManually'))
    void done.then(
      () => announce(t('bodySettings.copied', { what: t(label) })),
      () => announce(t('bodySettings.copyManually')),
    )
  })
  return h('div', { class: 'field' }, tr(h('label', { for: id }), label), h('div', { class: 'token-row' }, input, copy))
}
