// The body's gate: whether moving a draft to `vastgesteld` or `aangeboden` needs a completed
// endorsement round (every member party answered, no niet akkoord with an open dispute).
import { consent } from '../../api'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, checkboxField, messageBox } from '../../ui/widgets'

export function consentPart(bodyId: number): { element: HTMLElement; load(): Promise<void> } {
  const box = messageBox()
  const vastgesteld = h('input', { id: 'gate-vastgesteld' })
  const aangeboden = h('input', { id: 'gate-aangeboden' })
  const save = tr(h('button', { type: 'submit', class: 'button-primary', id: 'gate-save' }), 'common.save')
  const form = h(
    'form',
    { novalidate: true, class: 'stack', id: 'gate-form' },
    box.element,
    h('fieldset', {}, tr(h('legend', {}), 'gate.legend'), checkboxField('gate.vastgesteld', vastgesteld), checkboxField('gate.aangeboden', aangeboden)),
    h('div', { class: 'actions' }, save),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    box.clear()
    void busy(save, async () => {
      try {
        const saved = await consent.saveSettings(bodyId, { require_for_vastgesteld: vastgesteld.checked, require_for_aangeboden: aangeboden.checked })
        vastgesteld.checked = saved.require_for_vastgesteld
        aangeboden.checked = saved.require_for_aangeboden
        announce(t('gate.saved'))
      } catch (error) {
        box.error(error)
      }
    })
  })
  return {
    element: form,
    async load() {
      try {
        const current = await consent.settings(bodyId)
        vastgesteld.checked = current.require_for_vastgesteld
        aangeboden.checked = current.require_for_aangeboden
      } catch (error) {
        box.error(error)
      }
    },
  }
}
