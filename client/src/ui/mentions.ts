// Mentions with autocomplete in a text area: typing `@` and a few letters lists the people
// (name and party) and parties (code) that match; arrow keys move through the list, Enter or
// Tab picks, Escape closes. The text area stays a text box (aria-autocomplete, aria-controls,
// aria-activedescendant point at the listbox); the number of suggestions is announced.
import { t, tr, trAttr } from '../i18n'
import { announce } from './announce'
import { mentionQuery } from './mention-query'
import { h } from './dom'
import { partyChip } from './widgets'

export type Suggestion =
  | { kind: 'person'; id: number; name: string; party: string | null }
  | { kind: 'party'; code: string }

export interface Mentions {
  /** The suggestion list; place it right after the text area. */
  element: HTMLElement
  /** The people and parties picked whose `@…` is still in the text. */
  picked(): { people: number[]; parties: string[] }
  /** Forget what was picked (after posting). */
  reset(): void
}

let counter = 0

const label = (s: Suggestion): string => (s.kind === 'person' ? s.name : s.code)

export function mentionAutocomplete(area: HTMLTextAreaElement, search: (query: string) => Promise<Suggestion[]>): Mentions {
  const id = `mentions-${++counter}`
  const list = trAttr(h('ul', { class: 'mention-list', role: 'listbox', id, hidden: true }), 'aria-label', 'mentions.label')
  const hint = tr(h('p', { class: 'hint', id: `${id}-hint` }), 'mentions.hint')
  area.setAttribute('aria-autocomplete', 'list')
  area.setAttribute('aria-controls', id)
  const described = area.getAttribute('aria-describedby')
  area.setAttribute('aria-describedby', described ? `${described} ${hint.id}` : hint.id)

  let items: Suggestion[] = []
  let active = -1
  let current: { start: number; query: string } | null = null
  let generation = 0
  let timer: number | undefined
  const picked = new Map<string, Suggestion>()

  const close = (): void => {
    list.hidden = true
    list.replaceChildren()
    items = []
    active = -1
    current = null
    area.removeAttribute('aria-activedescendant')
  }

  const setActive = (index: number): void => {
    active = index
    list.querySelectorAll('[role="option"]').forEach((option, n) => option.setAttribute('aria-selected', String(n === index)))
    if (index >= 0) {
      const option = list.children[index] as HTMLElement | undefined
      area.setAttribute('aria-activedescendant', `${id}-${index}`)
      option?.scrollIntoView({ block: 'nearest' })
    } else area.removeAttribute('aria-activedescendant')
  }

  const choose = (index: number): void => {
    const suggestion = items[index]
    if (!suggestion || !current) return
    const text = `@${label(suggestion)} `
    const end = current.start + 1 + current.query.length
    area.value = area.value.slice(0, current.start) + text + area.value.slice(end)
    const caret = current.start + text.length
    area.setSelectionRange(caret, caret)
    picked.set(label(suggestion), suggestion)
    announce(t('mentions.picked', { name: label(suggestion) }))
    close()
    area.focus()
  }

  const show = (found: Suggestion[]): void => {
    items = found
    if (found.length === 0) {
      list.replaceChildren(tr(h('li', { class: 'mention-empty', role: 'option', 'aria-disabled': 'true', id: `${id}-none` }), 'mentions.none'))
      list.hidden = false
      active = -1
      area.removeAttribute('aria-activedescendant')
      announce(t('mentions.none'))
      return
    }
    list.replaceChildren(
      ...found.map((s, index) => {
        const option = h(
          'li',
          { class: 'mention-option', role: 'option', id: `${id}-${index}`, 'aria-selected': 'false', 'data-mention': s.kind === 'person' ? `person:${s.id}` : `party:${s.code}` },
          s.kind === 'person' ? h('span', { class: 'mention-name' }, s.name) : tr(h('span', { class: 'mention-name' }), 'mentions.party', { code: s.code }),
          ' ',
          partyChip(s.kind === 'person' ? s.party : s.code),
        )
        // keep the focus in the text area
        option.addEventListener('mousedown', (event) => event.preventDefault())
        option.addEventListener('click', () => choose(index))
        return option
      }),
    )
    list.hidden = false
    setActive(0)
    announce(t(found.length === 1 ? 'mentions.countOne' : 'mentions.count', { count: String(found.length) }))
  }

  const lookUp = (): void => {
    const found = mentionQuery(area.value, area.selectionStart ?? area.value.length)
    if (!found) {
      close()
      return
    }
    current = found
    const mine = ++generation
    window.clearTimeout(timer)
    timer = window.setTimeout(() => {
      void search(found.query)
        .then((result) => {
          if (mine === generation && current) show(result)
        })
        .catch(() => {
          if (mine === generation) close()
        })
    }, 150)
  }

  area.addEventListener('input', lookUp)
  area.addEventListener('blur', () => window.setTimeout(close, 100))
  area.addEventListener('keydown', (event) => {
    if (list.hidden) return
    if (event.key === 'ArrowDown' && items.length) {
      event.preventDefault()
      setActive((active + 1) % items.length)
    } else if (event.key === 'ArrowUp' && items.length) {
      event.preventDefault()
      setActive((active - 1 + items.length) % items.length)
    } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
      event.preventDefault()
      choose(active)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      generation++
      close()
    }
  })

  return {
    element: h('div', { class: 'mention-box' }, hint, list),
    picked() {
      const people: number[] = []
      const parties: string[] = []
      for (const [name, s] of picked) {
        if (!area.value.includes(`@${name}`)) continue
        if (s.kind === 'person') people.push(s.id)
        else parties.push(s.code)
      }
      return { people: [...new Set(people)], parties: [...new Set(parties)] }
    },
    reset() {
      picked.clear()
      generation++
      close()
    },
  }
}
