// The body's public progress page: on or off, its address below /openbaar/, a public
// introduction, and a checklist of the milestones and action lines shown on it (nothing is
// public unless it is marked here). The page carries no names, notes or comments.
import { governance, reports } from '../../api'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, checkboxField, field, messageBox } from '../../ui/widgets'

export function publicPagePart(bodyId: number): { element: HTMLElement; load(): Promise<void> } {
  const box = messageBox()
  const enabled = h('input', { id: 'public-enabled' })
  const slug = h('input', { id: 'public-slug', type: 'text', autocomplete: 'off', spellcheck: 'false' })
  const intro = h('textarea', { id: 'public-intro', rows: '3' })
  const link = h('p', { id: 'public-link' })
  const lines = h('fieldset', { id: 'public-lines' })
  const milestones = h('fieldset', { id: 'public-milestones' })
  const save = tr(h('button', { type: 'submit', class: 'button-primary', id: 'public-save' }), 'common.save')
  const form = h(
    'form',
    { novalidate: true, class: 'stack', id: 'public-form' },
    box.element,
    checkboxField('publicPage.enabled', enabled),
    field('publicPage.slug', slug, 'publicPage.slugHint'),
    field('publicPage.intro.label', intro, 'publicPage.introHint'),
    lines,
    milestones,
    h('div', { class: 'actions' }, save),
    link,
  )
  const showLink = (s: string, on: boolean): void => {
    link.replaceChildren()
    if (s && on) link.append(tr(h('a', { href: `/openbaar/${encodeURIComponent(s)}`, id: 'public-open' }), 'publicPage.open'))
    else link.append(tr(h('span', { class: 'muted' }), 'publicPage.off'))
  }
  const checked = (set: HTMLElement): number[] =>
    [...set.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((c) => c.checked).map((c) => Number(c.value))
  const checklist = (set: HTMLElement, legend: 'publicPage.lines' | 'publicPage.milestones', items: { id: number; label: string }[], marked: number[], prefix: string): void => {
    set.replaceChildren(tr(h('legend', {}), legend))
    if (items.length === 0) set.append(tr(h('p', { class: 'muted' }), 'publicPage.nothing'))
    for (const item of items) {
      const input = h('input', { id: `${prefix}-${item.id}`, type: 'checkbox', value: String(item.id) })
      input.checked = marked.includes(item.id)
      set.append(h('div', { class: 'field field-check' }, input, h('label', { for: input.id }, item.label)))
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    box.clear()
    void busy(save, async () => {
      try {
        const saved = await reports.savePublicPage(bodyId, {
          slug: slug.value.trim(),
          enabled: enabled.checked,
          intro: intro.value,
          milestones: checked(milestones),
          action_lines: checked(lines),
        })
        showLink(saved.slug, saved.enabled)
        announce(t('publicPage.saved'))
      } catch (error) {
        box.error(error)
      }
    })
  })
  return {
    element: form,
    async load() {
      try {
        const [setting, allLines, allMilestones] = await Promise.all([reports.publicPage(bodyId), governance.actionLines(bodyId), governance.milestones(bodyId)])
        enabled.checked = setting.enabled
        slug.value = setting.slug
        intro.value = setting.intro
        checklist(lines, 'publicPage.lines', allLines.map((l) => ({ id: l.id, label: `${l.number ? `${l.number} ` : ''}${l.title}` })), setting.action_lines, 'public-line')
        checklist(milestones, 'publicPage.milestones', allMilestones.map((m) => ({ id: m.id, label: `${m.title} (${m.due.raw})` })), setting.milestones, 'public-milestone')
        showLink(setting.slug, setting.enabled)
      } catch (error) {
        box.error(error)
      }
    },
  }
}
