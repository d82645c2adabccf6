// The draft's open points (#open-punten, where the notifications of open points link to): what
// still has to be settled before the text can be agreed (PM, NB, a point for discussion, a date
// to fill in), each with its owner and due date.
// "Scan the text" finds markers such as [PM …] and offers them as proposals, to accept with an
// owner and a due date or to dismiss; points can be added by hand and closed with a note.
import { consent, type Member } from '../../api'
import type { OpenPoint, OpenPointKind, OpenPointOwner, OpenPointStatus } from '../../api/consent'
import { t, tr, type MessageKey } from '../../i18n'
import { formatDay } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, messageBox, partyChip, section } from '../../ui/widgets'

export const KIND_KEYS: Record<OpenPointKind, MessageKey> = {
  pm: 'openPoints.kind.pm',
  nb: 'openPoints.kind.nb',
  bespreekpunt: 'openPoints.kind.bespreekpunt',
  datum: 'openPoints.kind.datum',
}

const STATUS_KEYS: Record<OpenPointStatus, MessageKey> = {
  voorgesteld: 'openPoints.status.voorgesteld',
  open: 'openPoints.status.open',
  gesloten: 'openPoints.status.gesloten',
  afgewezen: 'openPoints.status.afgewezen',
}

export function kindSelect(id: string): HTMLSelectElement {
  const select = h('select', { id })
  for (const kind of consent.OPEN_POINT_KINDS) select.append(tr(h('option', { value: kind }), KIND_KEYS[kind]))
  return select
}

/** Owner (a person of the body, or a party) and due date controls, for a form. */
export function ownerControls(
  prefix: string,
  people: () => Member[],
  parties: () => string[],
): { elements: HTMLElement[]; value(): OpenPointOwner; reset(): void } {
  const person = h('select', { id: `${prefix}-owner` })
  person.append(tr(h('option', { value: '' }), 'openPoints.noOwner'))
  for (const m of people()) person.append(h('option', { value: String(m.person_id) }, m.party ? `${m.name} (${m.party})` : m.name))
  const party = h('select', { id: `${prefix}-party` })
  party.append(tr(h('option', { value: '' }), 'openPoints.noParty'))
  for (const code of parties()) party.append(h('option', { value: code }, code))
  const due = h('input', { type: 'date', id: `${prefix}-due` })
  return {
    elements: [
      h('div', { class: 'field' }, tr(h('label', { for: person.id }), 'openPoints.owner'), person),
      h('div', { class: 'field' }, tr(h('label', { for: party.id }), 'openPoints.ownerParty'), party),
      h('div', { class: 'field' }, tr(h('label', { for: due.id }), 'openPoints.due'), due),
    ],
    value: () => ({
      ...(person.value ? { owner_person_id: Number(person.value) } : {}),
      ...(party.value ? { owner_party: party.value } : {}),
      ...(due.value ? { due: due.value } : {}),
    }),
    reset() {
      person.value = ''
      party.value = ''
      due.value = ''
    },
  }
}

export interface OpenPointsPanel {
  element: HTMLElement
  /** The count for the draft's header: a link to the list. */
  badge: HTMLElement
  refresh(): Promise<void>
}

export function openPointsPanel(options: {
  draftId: number
  canWrite: () => boolean
  people: () => Member[]
  parties: () => string[]
  /** Called with the open count after each load. */
  onCount?: (open: number) => void
}): OpenPointsPanel {
  const { draftId } = options
  const errors = messageBox()
  const summary = h('p', { class: 'open-points-summary', id: 'open-points-summary', 'aria-live': 'polite' })
  const list = h('div', { id: 'open-points-list' })
  const showClosed = h('input', { type: 'checkbox', id: 'open-points-show-closed' })
  const badge = h('a', { href: '#open-punten', class: 'open-points-badge', id: 'open-points-badge' })
  let items: OpenPoint[] = []
  showClosed.addEventListener('change', () => render())

  const scan = tr(h('button', { type: 'button', class: 'button-quiet', id: 'open-points-scan' }), 'openPoints.scan')
  scan.addEventListener('click', () =>
    void busy(scan, async () => {
      try {
        const result = await consent.detectOpenPoints(draftId)
        announce(t('openPoints.scanned', { count: result.proposed.length }))
        await refresh()
        list.querySelector<HTMLElement>('[data-status="voorgesteld"] select, [data-status="voorgesteld"] button')?.focus()
      } catch (error) {
        errors.error(error)
      }
    }),
  )

  // add by hand
  const addErrors = messageBox()
  const kind = kindSelect('open-point-kind')
  const text = h('textarea', { id: 'open-point-text', rows: 2, maxlength: 2000 })
  const quote = h('input', { type: 'text', id: 'open-point-quote', maxlength: 1000, autocomplete: 'off' })
  const owner = ownerControls('open-point', options.people, options.parties)
  const add = tr(h('button', { type: 'submit', class: 'button-primary', id: 'open-point-add' }), 'openPoints.add')
  const addForm = h(
    'form',
    { class: 'stack', novalidate: true, id: 'open-point-form' },
    addErrors.element,
    h('div', { class: 'field' }, tr(h('label', { for: kind.id }), 'openPoints.kind'), kind),
    h('div', { class: 'field' }, tr(h('label', { for: text.id }), 'openPoints.text'), text),
    h('div', { class: 'field' }, tr(h('label', { for: quote.id }), 'openPoints.quote'), quote),
    ...owner.elements,
    h('div', { class: 'actions' }, add),
  )
  addForm.addEventListener('submit', (event) => {
    event.preventDefault()
    addErrors.clear()
    if (!text.value.trim()) {
      addErrors.text('error.required', { field: t('openPoints.text') })
      text.setAttribute('aria-invalid', 'true')
      text.focus()
      return
    }
    text.removeAttribute('aria-invalid')
    void busy(add, async () => {
      try {
        await consent.addOpenPoint(draftId, {
          kind: kind.value as OpenPointKind,
          text: text.value.trim(),
          ...(quote.value.trim() ? { quote: quote.value.trim() } : {}),
          ...owner.value(),
        })
        text.value = ''
        quote.value = ''
        owner.reset()
        announce(t('openPoints.added'))
        await refresh()
      } catch (error) {
        addErrors.error(error)
      }
    })
  })
  const addDetails = h('details', { class: 'open-point-new' }, tr(h('summary', {}), 'openPoints.new'), addForm)

  const act = async (button: HTMLButtonElement, point: OpenPoint, input: Parameters<typeof consent.updateOpenPoint>[1], done: MessageKey): Promise<void> =>
    busy(button, async () => {
      try {
        await consent.updateOpenPoint(point.id, input)
        announce(t(done))
        await refresh()
        summary.setAttribute('tabindex', '-1')
      } catch (error) {
        errors.error(error)
      }
    })

  const actions = (point: OpenPoint): HTMLElement | null => {
    if (!options.canWrite()) return null
    const cell = h('div', { class: 'open-point-actions' })
    if (point.status === 'voorgesteld') {
      const owner = ownerControls(`open-point-${point.id}`, options.people, options.parties)
      const accept = tr(h('button', { type: 'button', class: 'button-primary button-small', 'data-accept': String(point.id) }), 'openPoints.accept')
      const dismiss = tr(h('button', { type: 'button', class: 'button-quiet button-small', 'data-dismiss': String(point.id) }), 'openPoints.dismiss')
      accept.addEventListener('click', () => void act(accept, point, { status: 'open', ...owner.value() }, 'openPoints.accepted'))
      dismiss.addEventListener('click', () => void act(dismiss, point, { status: 'afgewezen' }, 'openPoints.dismissed'))
      cell.append(...owner.elements, h('div', { class: 'actions' }, accept, dismiss))
    } else if (point.status === 'open') {
      const note = h('input', { type: 'text', id: `open-point-${point.id}-note`, maxlength: 2000, autocomplete: 'off' })
      const close = tr(h('button', { type: 'button', class: 'button-quiet button-small', 'data-close': String(point.id) }), 'openPoints.close')
      close.addEventListener('click', () => void act(close, point, { status: 'gesloten', ...(note.value.trim() ? { note: note.value.trim() } : {}) }, 'openPoints.closed'))
      cell.append(h('div', { class: 'field' }, tr(h('label', { for: note.id }), 'openPoints.closeNote'), note), close)
    } else return null
    return cell
  }

  const pointItem = (point: OpenPoint): HTMLElement => {
    const owner = point.owner_name || point.owner_party
    return h(
      'li',
      { class: `open-point open-point-${point.status}`, 'data-point': String(point.id), 'data-status': point.status, 'data-kind': point.kind },
      h(
        'p',
        { class: 'open-point-head' },
        tr(h('span', { class: 'state-chip' }), KIND_KEYS[point.kind]),
        ' ',
        tr(h('span', { class: `state-chip open-point-state-${point.status}` }), STATUS_KEYS[point.status]),
        ' ',
        h('span', { class: 'open-point-text' }, point.text),
      ),
      point.quote ? h('blockquote', { class: 'thread-quote' }, point.quote) : null,
      h(
        'p',
        { class: 'muted open-point-meta' },
        owner
          ? tr(h('span', {}), 'openPoints.ownedBy', { owner: point.owner_name ?? '' })
          : tr(h('span', {}), 'openPoints.unowned'),
        point.owner_party ? ' ' : null,
        point.owner_party ? partyChip(point.owner_party) : null,
        point.due ? ' · ' : null,
        point.due ? tr(h('span', { class: 'open-point-due' }), 'openPoints.dueOn', { date: formatDay(point.due) }) : null,
      ),
      point.status === 'gesloten'
        ? tr(h('p', { class: 'muted' }), 'openPoints.closedBy', { name: point.closed_by_name ?? '—', note: point.closed_note ?? '' })
        : null,
      actions(point),
    )
  }

  const render = (): void => {
    const visible = items.filter((p) => showClosed.checked || p.status === 'open' || p.status === 'voorgesteld')
    if (visible.length === 0) list.replaceChildren(tr(h('p', { class: 'muted' }), 'openPoints.none'))
    else list.replaceChildren(h('ul', { class: 'open-point-list' }, ...visible.map(pointItem)))
  }

  const refresh = async (): Promise<void> => {
    try {
      const result = await consent.openPoints(draftId)
      items = result.items
      tr(summary, 'openPoints.summary', { open: result.open, proposed: result.proposed })
      tr(badge, 'openPoints.badge', { count: result.open })
      badge.dataset.count = String(result.open)
      options.onCount?.(result.open)
      errors.clear()
    } catch (error) {
      errors.error(error)
      return
    }
    render()
    scan.hidden = !options.canWrite()
    addDetails.hidden = !options.canWrite()
  }

  const element = section(
    'open-punten',
    'openPoints.title',
    summary,
    errors.element,
    h('div', { class: 'actions' }, scan),
    h('div', { class: 'field field-check' }, showClosed, tr(h('label', { for: showClosed.id }), 'openPoints.showClosed')),
    list,
    addDetails,
  )
  return { element, badge, refresh }
}
