// The meeting calendar, /calendar: a month (a table of weeks, Monday first, with previous /
// next month and "Vandaag") or a list of the coming meetings grouped by month; filtered by
// body. Times are Dutch time as the server gives them (`starts`, `ends`). The view, the month
// and the body are kept in the address (?view=list&month=2026-03&body=2).
import { directory, meetings, type Body } from '../api'
import type { Meeting } from '../api/meetings'
import type { App } from '../app'
import { formatDay, onLangChange, t, tr, trAttr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { field, loading, messageBox } from '../ui/widgets'
import { meetingLink, monthName, weekdayNames } from './meetings/labels'
import { byDay, byMonth, monthGrid, monthRange, parseMonth, shiftMonth, timeOf, todayInAmsterdam } from './meetings/month'

type View = 'month' | 'list'

function monthTable(year: number, month: number, items: Meeting[], today: string): HTMLElement {
  const key = `${year}-${String(month).padStart(2, '0')}`
  const days = byDay(items)
  const head = h(
    'tr',
    {},
    tr(h('th', { scope: 'col', class: 'week-number' }), 'calendar.week'),
    ...weekdayNames().map(([short, long]) => h('th', { scope: 'col' }, h('abbr', { title: long }, short))),
  )
  const rows = monthGrid(year, month).map((week) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'week-number' }, t('calendar.weekN', { week: week.week })),
      ...week.days.map((day) => {
        const list = days.get(day.day) ?? []
        const isToday = day.day === today
        return h(
          'td',
          { class: `${day.inMonth ? '' : 'outside'}${isToday ? ' today' : ''}`.trim() || null, 'data-day': day.day, ...(isToday ? { 'aria-current': 'date' } : {}) },
          h('span', { class: 'day-number' }, h('span', { class: 'visually-hidden' }, `${formatDay(day.day)} `), h('span', { 'aria-hidden': 'true' }, String(day.date)), isToday ? tr(h('span', { class: 'today-label' }), 'calendar.todayLabel') : null),
          list.length ? h('ul', {}, ...list.map((m) => h('li', {}, h('span', { class: 'meeting-time' }, timeOf(m.starts)), meetingLink(m)))) : null,
        )
      }),
    ),
  )
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'table month-grid', id: 'month-grid', 'data-month': key }, h('caption', { id: 'month-caption' }, monthName(key)), h('thead', {}, head), h('tbody', {}, ...rows)),
  )
}

function upcomingList(items: Meeting[]): HTMLElement {
  if (items.length === 0) return tr(h('p', { class: 'muted', id: 'meeting-list' }), 'calendar.noUpcoming')
  return h(
    'div',
    { id: 'meeting-list' },
    ...byMonth(items).map(([key, list]) =>
      h(
        'section',
        { 'aria-labelledby': `month-${key}`, 'data-month': key },
        h('h2', { id: `month-${key}` }, monthName(key)),
        h(
          'ul',
          { class: 'meeting-list' },
          ...list.map((m) => h('li', { 'data-meeting': String(m.id) }, h('span', { class: 'meeting-time' }, `${formatDay(m.starts.slice(0, 10))} ${timeOf(m.starts)}`), meetingLink(m), m.place ? h('span', { class: 'muted' }, ` · ${m.place}`) : null)),
        ),
      ),
    ),
  )
}

export function calendarScreen(app: App, query: URLSearchParams): Screen {
  let stopLang: (() => void) | null = null
  return {
    title: () => t('calendar.title'),
    destroy() {
      stopLang?.()
    },
    async mount(main) {
      if (!app.me) return
      main.append(loading())
      let bodies: Body[] = []
      try {
        bodies = await directory.listBodies()
      } catch {
        // the calendar works without the body filter's names
      }
      const today = todayInAmsterdam()
      let view: View = query.get('view') === 'list' ? 'list' : 'month'
      let shown = parseMonth(query.get('month')) ?? { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) }
      const bodySelect = h('select', { id: 'calendar-body' })
      bodySelect.append(tr(h('option', { value: '' }), 'calendar.allBodies'))
      for (const body of bodies) bodySelect.append(h('option', { value: String(body.id) }, body.name))
      bodySelect.value = query.get('body') ?? ''
      const errors = messageBox()
      const holder = h('div', { id: 'calendar-content' })

      const monthButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'view-month' }), 'calendar.viewMonth')
      const listButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'view-list' }), 'calendar.viewList')
      const prev = tr(h('button', { type: 'button', class: 'button-quiet', id: 'month-prev' }), 'calendar.prev')
      const todayButton = tr(h('button', { type: 'button', class: 'button-quiet', id: 'month-today' }), 'calendar.today')
      const next = tr(h('button', { type: 'button', class: 'button-quiet', id: 'month-next' }), 'calendar.next')
      const nav = h('div', { class: 'calendar-nav', id: 'calendar-nav' }, prev, todayButton, next)

      const keepInAddress = (): void => {
        const url = new URL(location.href)
        url.search = ''
        if (view === 'list') url.searchParams.set('view', 'list')
        else url.searchParams.set('month', `${shown.year}-${String(shown.month).padStart(2, '0')}`)
        if (bodySelect.value) url.searchParams.set('body', bodySelect.value)
        history.replaceState(null, '', url.pathname + url.search)
      }
      const render = async (): Promise<void> => {
        errors.clear()
        monthButton.setAttribute('aria-pressed', String(view === 'month'))
        listButton.setAttribute('aria-pressed', String(view === 'list'))
        nav.hidden = view !== 'month'
        keepInAddress()
        const body = bodySelect.value ? Number(bodySelect.value) : undefined
        try {
          if (view === 'month') {
            const range = monthRange(shown.year, shown.month)
            const items = await meetings.calendar({ ...range, ...(body !== undefined ? { body } : {}) })
            holder.replaceChildren(monthTable(shown.year, shown.month, items, today))
            announce(t('calendar.showingMonth', { month: monthName(range.from.slice(0, 7)), count: items.length }))
          } else {
            const items = await meetings.calendar({ from: today, ...(body !== undefined ? { body } : {}) })
            holder.replaceChildren(upcomingList(items))
            announce(t('calendar.showingList', { count: items.length }))
          }
        } catch (error) {
          errors.error(error)
        }
      }
      const move = (by: number | null): void => {
        shown = by === null ? { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) } : shiftMonth(shown.year, shown.month, by)
        void render()
      }
      prev.addEventListener('click', () => move(-1))
      next.addEventListener('click', () => move(1))
      todayButton.addEventListener('click', () => move(null))
      monthButton.addEventListener('click', () => {
        view = 'month'
        void render()
      })
      listButton.addEventListener('click', () => {
        view = 'list'
        void render()
      })
      bodySelect.addEventListener('change', () => void render())
      // month and weekday names are written out, not keyed: redraw them in the new language
      stopLang = onLangChange(() => void render())

      main.replaceChildren(
        tr(h('h1', {}), 'calendar.title'),
        trAttr(h('div', { class: 'filter-bar', role: 'group' }, trAttr(h('div', { class: 'calendar-views', role: 'group' }, monthButton, listButton), 'aria-label', 'calendar.viewLabel'), field('calendar.body', bodySelect)), 'aria-label', 'calendar.options'),
        errors.element,
        nav,
        holder,
      )
      await render()
    },
  }
}
