// The escalation ladder of a working group: its levels (name, response time in working days,
// forum body from the bodies the server allows), reordered with move up/down buttons; the
// auto-dispute switch and the margin for overdue milestones. Errors are shown at the field,
// whether the browser or the server found them.
import { ApiError, settings } from '../../api'
import { t, tr, trAttr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, checkboxField, field, loading, messageBox } from '../../ui/widgets'
import { KIND_KEYS } from '../group'
import { fieldErrorBefore, type FieldError } from '../../ui/field-error'
import { ladderTarget, mayName, MAX_DAYS, MAX_LEVELS, MAX_NAME, wholeNumber } from './rules'

interface Row {
  key: number
  name: string
  days: string
  forum: string
}

interface RowControls {
  name: HTMLInputElement
  days: HTMLInputElement
  forum: HTMLSelectElement
  errors: { name: FieldError; days: FieldError; forum: FieldError }
  buttons: { up: HTMLButtonElement; down: HTMLButtonElement; remove: HTMLButtonElement }
}

export function ladderPart(bodyId: number, forums: settings.LadderForum[]): { element: HTMLElement; load(): Promise<void> } {
  let rows: Row[] = []
  let nextKey = 1
  let controls: RowControls[] = []
  const errors = messageBox()
  const done = h('p', { class: 'alert alert-ok', role: 'status' })
  done.hidden = true
  const defaultNote = tr(h('p', { class: 'hint', id: 'ladder-default' }), 'bodySettings.ladder.isDefault')
  defaultNote.hidden = true
  const list = h('ol', { class: 'ladder-steps', id: 'ladder-steps' })
  const add = tr(h('button', { type: 'button', class: 'button-quiet', id: 'ladder-add' }), 'bodySettings.ladder.add')
  const autoDispute = h('input', { id: 'ladder-auto-dispute' })
  const margin = h('input', { type: 'number', id: 'ladder-margin', min: '0', max: String(MAX_DAYS), step: '1', inputmode: 'numeric' })
  const marginField = field('bodySettings.ladder.margin', margin, 'bodySettings.ladder.marginHint')
  const marginError = fieldErrorBefore(margin)
  const save = tr(h('button', { type: 'submit', class: 'button-primary', id: 'ladder-save' }), 'bodySettings.ladder.save')
  const form = h(
    'form',
    { novalidate: true, id: 'ladder-form', class: 'stack' },
    errors.element,
    done,
    defaultNote,
    list,
    h('div', { class: 'actions' }, add),
    h(
      'fieldset',
      { class: 'ladder-overdue' },
      tr(h('legend', {}), 'bodySettings.ladder.overdueLegend'),
      checkboxField('bodySettings.ladder.autoDispute', autoDispute),
      marginField,
    ),
    h('div', { class: 'actions' }, save),
  )
  const holder = h('div', {}, loading())

  const forumLabel = (forum: settings.LadderForum): string =>
    forum.depth === 0 ? t('bodySettings.ladder.forumSelf', { name: forum.name }) : `${forum.name} (${t(KIND_KEYS[forum.kind] ?? 'kind.other')})`

  const forumSelect = (row: Row, index: number): HTMLSelectElement => {
    const select = h('select', { id: `ladder-${row.key}-forum` })
    select.append(tr(h('option', { value: '' }), 'bodySettings.ladder.noForum'))
    for (const forum of forums) {
      if (forum.depth === 0 && index !== 0) continue
      const option = h('option', { value: String(forum.id) })
      option.textContent = forumLabel(forum)
      select.append(option)
    }
    const chosen = Number(row.forum)
    if (row.forum && !mayName(forums, index, chosen)) {
      // a level moved away from level 0, or a body no longer above the group: shown as it is
      // stored, marked, so saving points at it instead of silently dropping it
      const known = forums.find((f) => f.id === chosen)
      const option = h('option', { value: row.forum })
      option.textContent = t('bodySettings.ladder.forumNotHere', { name: known ? known.name : `#${row.forum}` })
      select.append(option)
    }
    select.value = row.forum
    return select
  }

  type Focus = { key: number; target: 'name' | 'up' | 'down' | 'remove' }

  const render = (focus?: Focus): void => {
    controls = []
    list.replaceChildren(
      ...rows.map((row, index) => {
        const name = h('input', { type: 'text', id: `ladder-${row.key}-name`, autocomplete: 'off' })
        name.value = row.name
        name.addEventListener('input', () => (row.name = name.value))
        const days = h('input', { type: 'number', id: `ladder-${row.key}-days`, min: '1', max: String(MAX_DAYS), step: '1', inputmode: 'numeric' })
        days.value = row.days
        days.addEventListener('input', () => (row.days = days.value))
        const forum = forumSelect(row, index)
        forum.addEventListener('change', () => (row.forum = forum.value))
        const label = { n: index, name: row.name.trim() || t('bodySettings.ladder.unnamed') }
        const up = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', 'data-action': 'up' }), 'bodySettings.ladder.up'), 'aria-label', 'bodySettings.ladder.upOf', label)
        const down = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', 'data-action': 'down' }), 'bodySettings.ladder.down'), 'aria-label', 'bodySettings.ladder.downOf', label)
        const remove = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', 'data-action': 'remove' }), 'bodySettings.ladder.remove'), 'aria-label', 'bodySettings.ladder.removeOf', label)
        up.disabled = index === 0
        down.disabled = index === rows.length - 1
        remove.disabled = rows.length === 1
        up.addEventListener('click', () => move(index, -1, 'up'))
        down.addEventListener('click', () => move(index, 1, 'down'))
        remove.addEventListener('click', () => removeAt(index))
        // the buttons name their level: keep that current while the name is typed
        name.addEventListener('change', () => {
          const named = { n: index, name: row.name.trim() || t('bodySettings.ladder.unnamed') }
          trAttr(up, 'aria-label', 'bodySettings.ladder.upOf', named)
          trAttr(down, 'aria-label', 'bodySettings.ladder.downOf', named)
          trAttr(remove, 'aria-label', 'bodySettings.ladder.removeOf', named)
        })
        const fields = [
          field('bodySettings.ladder.name', name),
          field('bodySettings.ladder.days', days, 'bodySettings.ladder.daysHint'),
          field('bodySettings.ladder.forum', forum, index === 0 ? 'bodySettings.ladder.forumHintZero' : 'bodySettings.ladder.forumHint'),
        ]
        controls.push({
          name,
          days,
          forum,
          errors: { name: fieldErrorBefore(name), days: fieldErrorBefore(days), forum: fieldErrorBefore(forum) },
          buttons: { up, down, remove },
        })
        const legendKey: MessageKey = index === 0 ? 'bodySettings.ladder.levelZero' : 'bodySettings.ladder.level'
        return h(
          'li',
          { class: 'ladder-step', 'data-level': String(index) },
          h('fieldset', {}, tr(h('legend', {}), legendKey, { n: index }), h('div', { class: 'ladder-fields' }, ...fields), h('div', { class: 'actions ladder-moves' }, up, down, remove)),
        )
      }),
    )
    add.disabled = rows.length >= MAX_LEVELS
    if (!focus) return
    const at = rows.findIndex((row) => row.key === focus.key)
    const target = controls[at]
    if (!target) return
    if (focus.target === 'name') return target.name.focus()
    const button = target.buttons[focus.target]
    // at the top or bottom the button just used is off: the other move button takes focus
    if (!button.disabled) button.focus()
    else if (!target.buttons.up.disabled) target.buttons.up.focus()
    else if (!target.buttons.down.disabled) target.buttons.down.focus()
    else target.name.focus()
  }

  const move = (index: number, by: -1 | 1, target: 'up' | 'down'): void => {
    const other = index + by
    const row = rows[index]
    const swapped = rows[other]
    if (!row || !swapped) return
    rows[index] = swapped
    rows[other] = row
    done.hidden = true
    render({ key: row.key, target })
    announce(t('bodySettings.ladder.moved', { name: row.name.trim() || t('bodySettings.ladder.unnamed'), n: other }))
  }

  const removeAt = (index: number): void => {
    const [gone] = rows.splice(index, 1)
    if (!gone) return
    done.hidden = true
    const next = rows[Math.min(index, rows.length - 1)]
    render(next ? { key: next.key, target: 'name' } : undefined)
    announce(t('bodySettings.ladder.removed', { name: gone.name.trim() || t('bodySettings.ladder.unnamed') }))
  }

  add.addEventListener('click', () => {
    if (rows.length >= MAX_LEVELS) return
    const row: Row = { key: nextKey++, name: '', days: '10', forum: '' }
    rows.push(row)
    done.hidden = true
    render({ key: row.key, target: 'name' })
    announce(t('bodySettings.ladder.added', { n: rows.length - 1 }))
  })

  const show = (current: settings.LadderSettings): void => {
    rows = current.levels.map((level) => ({
      key: nextKey++,
      name: level.name,
      days: String(level.response_days),
      forum: level.forum_body_id === null ? '' : String(level.forum_body_id),
    }))
    defaultNote.hidden = !current.is_default
    autoDispute.checked = current.auto_dispute
    margin.value = String(current.overdue_margin_days)
    render()
  }

  const clearErrors = (): void => {
    errors.clear()
    marginError.clear()
    for (const row of controls) for (const error of Object.values(row.errors)) error.clear()
  }

  /** The first invalid control after checking every field in the browser, or null. */
  const check = (): HTMLElement | null => {
    let first: HTMLElement | null = null
    const mark = (error: FieldError, control: HTMLElement, key: MessageKey, params?: Record<string, number>): void => {
      error.showKey(key, params)
      first ??= control
    }
    rows.forEach((row, index) => {
      const c = controls[index]
      if (!c) return
      const name = row.name.trim()
      if (!name) mark(c.errors.name, c.name, 'bodySettings.ladder.nameRequired')
      else if ([...name].length > MAX_NAME) mark(c.errors.name, c.name, 'bodySettings.ladder.nameTooLong', { max: MAX_NAME })
      if (wholeNumber(row.days, 1, MAX_DAYS) === null) mark(c.errors.days, c.days, 'bodySettings.ladder.daysInvalid', { max: MAX_DAYS })
      if (row.forum && !mayName(forums, index, Number(row.forum))) mark(c.errors.forum, c.forum, index === 0 ? 'bodySettings.ladder.forumRefused' : 'bodySettings.ladder.forumSelfOnlyZero')
    })
    if (wholeNumber(margin.value, 0, MAX_DAYS) === null) mark(marginError, margin, 'bodySettings.ladder.marginInvalid', { max: MAX_DAYS })
    return first
  }

  /** Puts a 422 from the server at the field it names; false when it names none we show. */
  const showServerError = (error: unknown): boolean => {
    if (!(error instanceof ApiError) || error.status !== 422) return false
    const target = ladderTarget(error.message)
    if (!target) return false
    if (target.field === 'margin') {
      marginError.showKey('bodySettings.ladder.marginInvalid', { max: MAX_DAYS })
      margin.focus()
      return true
    }
    const c = controls[target.level]
    if (!c) return false
    if (target.field === 'days') c.errors.days.showKey('bodySettings.ladder.daysInvalid', { max: MAX_DAYS })
    else if (target.field === 'name') c.errors.name.showKey('bodySettings.ladder.nameRequired')
    else c.errors.forum.showKey('bodySettings.ladder.forumRefused')
    c[target.field].focus()
    return true
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    done.hidden = true
    clearErrors()
    const invalid = check()
    if (invalid) {
      errors.text('bodySettings.checkFields')
      invalid.focus()
      return
    }
    const input: settings.LadderInput = {
      levels: rows.map((row) => ({ name: row.name.trim(), response_days: Number(row.days), forum_body_id: row.forum ? Number(row.forum) : null })),
      overdue_margin_days: Number(margin.value),
      auto_dispute: autoDispute.checked,
    }
    void busy(save, async () => {
      try {
        show(await settings.saveLadder(bodyId, input))
        tr(done, 'bodySettings.ladder.saved')
        done.hidden = false
        announce(t('bodySettings.ladder.saved'))
      } catch (error) {
        if (showServerError(error)) errors.text('bodySettings.checkFields')
        else errors.error(error)
      }
    })
  })

  return {
    element: holder,
    async load() {
      try {
        show(await settings.ladder(bodyId))
        holder.replaceChildren(form)
      } catch (error) {
        errors.error(error)
        holder.replaceChildren(errors.element)
      }
    },
  }
}
