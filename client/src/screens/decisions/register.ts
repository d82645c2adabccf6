// The decision register: /decisions (every body the caller may read) and /groups/{id}/decisions
// (one body). A table of decisions (day, body, title, outcome, source, links to what it was
// about and its follow-ups), a search box and filters (body, period such as 2024 or 2024-Q3,
// party, topic, source) kept in the address, and CSV and PDF downloads with the same filters.
import { decisions, directory, type Body, type Party } from '../../api'
import type { Decision } from '../../api/decisions'
import type { App } from '../../app'
import { formatDay, t, tr, trAttr } from '../../i18n'
import type { Screen } from '../../router'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { loading, partyChip, select } from '../../ui/widgets'
import { formErrors, formField } from '../programme/form'
import { outcomeChip, SOURCE_KEYS, sourcePath } from '../meetings/labels'
import { filterFromQuery, periodRange, screenQuery, type RegisterFilter } from '../meetings/filters'

function table(items: Decision[], withBody: boolean): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted', id: 'register-table' }), 'register.none')
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col' }), 'register.date'),
    withBody ? tr(h('th', { scope: 'col' }), 'register.body') : null,
    tr(h('th', { scope: 'col' }), 'register.decision'),
    tr(h('th', { scope: 'col' }), 'register.outcome'),
    tr(h('th', { scope: 'col' }), 'register.source'),
    tr(h('th', { scope: 'col' }), 'register.followUps'),
  )
  const rows = items.map((d) => {
    const path = sourcePath(d)
    return h(
      'tr',
      { 'data-decision': String(d.id), 'data-outcome': d.outcome },
      h('td', {}, formatDay(d.decided_on)),
      withBody ? h('td', {}, h('a', { href: `/groups/${d.body_id}`, 'data-link': true }, d.body_name)) : null,
      h(
        'th',
        { scope: 'row' },
        path ? h('a', { href: path, 'data-link': true, class: 'decision-link' }, d.title) : d.title,
        d.topic ? h('span', { class: 'muted' }, ` · ${d.topic}`) : null,
        d.conditions ? h('p', { class: 'decision-conditions' }, tr(h('span', { class: 'muted' }), 'decision.conditions'), ' ', d.conditions) : null,
        d.parties.length ? h('p', { class: 'decision-conditions' }, ...d.parties.flatMap((p) => [partyChip(p), ' '])) : null,
      ),
      h('td', {}, outcomeChip(d.outcome)),
      h('td', {}, tr(h('span', {}), SOURCE_KEYS[d.source] ?? 'decisionSource.decision_request'), d.meeting_id !== null ? h('p', { class: 'decision-conditions' }, h('a', { href: `/meetings/${d.meeting_id}`, 'data-link': true }, d.meeting_title ?? t('register.meeting'))) : null),
      h('td', {}, d.follow_up_milestones.length ? h('ul', { class: 'follow-up-list' }, ...d.follow_up_milestones.map((m) => h('li', {}, h('a', { href: `/milestones/${m.id}`, 'data-link': true }, m.title), h('span', { class: 'muted' }, ` (${m.due})`)))) : '—'),
    )
  })
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'register-caption' },
    h('table', { class: 'table', id: 'register-table' }, tr(h('caption', { id: 'register-caption' }), 'register.caption'), h('thead', {}, head), h('tbody', {}, ...rows)),
  )
}

export function registerScreen(app: App, query: URLSearchParams, bodyId?: number): Screen {
  let title = t('register.title')
  return {
    title: () => title,
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let bodies: Body[] = []
      let parties: Party[] = []
      let body: Body | null = null
      try {
        ;[bodies, parties] = await Promise.all([directory.listBodies().catch(() => [] as Body[]), directory.listParties().catch(() => [] as Party[])])
        if (bodyId !== undefined) body = await directory.getBody(bodyId)
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'register.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      title = body ? `${t('register.title')} — ${body.name}` : t('register.title')
      const initial = filterFromQuery(query)
      const q = formField('register.search', h('input', { type: 'search', id: 'register-q', autocomplete: 'off', value: initial.q ?? '' }))
      q.control.value = initial.q ?? ''
      const bodySelect = select([['', 'register.allBodies', true], ...bodies.map((b): [string, string] => [String(b.id), b.name])], { id: 'register-body' })
      bodySelect.value = initial.body !== undefined ? String(initial.body) : ''
      const bodyField = formField('register.body', bodySelect)
      const period = formField('register.period', h('input', { type: 'text', id: 'register-period', autocomplete: 'off', spellcheck: 'false' }), 'register.periodHint')
      period.control.value = initial.period ?? ''
      const partySelect = select([['', 'register.allParties', true], ...parties.map((p): [string, string] => [p.code, `${p.code} — ${p.name}`])], { id: 'register-party' })
      partySelect.value = initial.party ?? ''
      const party = formField('register.party', partySelect)
      const topic = formField('register.topic', h('input', { type: 'text', id: 'register-topic', autocomplete: 'off' }))
      topic.control.value = initial.topic ?? ''
      const sourceSelect = select([['', 'register.allSources', true], ...(Object.entries(SOURCE_KEYS).map(([value, key]): [string, string, boolean] => [value, key, true]))], { id: 'register-source' })
      sourceSelect.value = initial.source ?? ''
      const source = formField('register.sourceFilter', sourceSelect)
      const errors = formErrors({ q, body: bodyField, period, from: period, to: period, party, topic, source })
      const apply = tr(h('button', { type: 'submit', class: 'button-primary', id: 'register-apply' }), 'register.apply')
      const filters = h('form', { class: 'register-filters', id: 'register-filters', novalidate: true, role: 'search' }, errors.box, q.element, bodyId === undefined ? bodyField.element : null, period.element, party.element, topic.element, source.element, h('div', { class: 'actions' }, apply))
      trAttr(filters, 'aria-label', 'register.filtersLabel')
      const csv = tr(h('a', { class: 'button-quiet', id: 'register-csv', download: '' }), 'register.csv')
      const pdf = tr(h('a', { class: 'button-quiet', id: 'register-pdf', download: '' }), 'register.pdf')
      const state = h('p', { class: 'hint', id: 'register-state' })
      const holder = h('div', { id: 'register-content' })
      const current = (): RegisterFilter => ({
        ...(q.control.value.trim() ? { q: q.control.value.trim() } : {}),
        ...(bodyId === undefined && bodySelect.value ? { body: Number(bodySelect.value) } : {}),
        ...(period.control.value.trim() ? { period: period.control.value.trim() } : {}),
        ...(partySelect.value ? { party: partySelect.value } : {}),
        ...(topic.control.value.trim() ? { topic: topic.control.value.trim() } : {}),
        ...(sourceSelect.value ? { source: sourceSelect.value } : {}),
      })
      const render = async (say: boolean): Promise<void> => {
        errors.clear()
        const filter = current()
        if (filter.period && !periodRange(filter.period)) {
          errors.at('period', t('register.periodInvalid'))
          return
        }
        const url = new URL(location.href)
        url.search = screenQuery(filter).toString()
        history.replaceState(null, '', url.pathname + url.search)
        csv.setAttribute('href', decisions.exportUrl(filter, 'csv', bodyId))
        pdf.setAttribute('href', decisions.exportUrl(filter, 'pdf', bodyId))
        try {
          const items = await decisions.register(filter, bodyId)
          holder.replaceChildren(table(items, bodyId === undefined))
          tr(state, Object.keys(filter).length ? 'register.stateFiltered' : 'register.state', { count: items.length })
          if (say) announce(state.textContent ?? '')
        } catch (error) {
          errors.show(error)
        }
      }
      filters.addEventListener('submit', (event) => {
        event.preventDefault()
        void render(true)
      })
      for (const control of [bodySelect, partySelect, sourceSelect]) control.addEventListener('change', () => void render(true))
      main.replaceChildren(
        h('p', { class: 'back' }, body ? h('a', { href: `/groups/${body.id}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: body.name })) : tr(h('a', { href: '/', 'data-link': true }), 'group.back')),
        body ? tr(h('h1', {}), 'register.bodyHeading', { name: body.name }) : tr(h('h1', {}), 'register.title'),
        tr(h('p', { class: 'lead' }), body ? 'register.bodyLead' : 'register.lead'),
        filters,
        h('div', { class: 'register-exports', id: 'register-exports' }, csv, pdf),
        state,
        holder,
      )
      await render(false)
    },
  }
}
