// Pickers for what an agenda item or a decision request links to: a draft and then one of its
// versions, a milestone, a dispute, a decision request. Each lists the things of the bodies
// the caller can see, grouped by body (optgroups); they load when first needed.
import { directory, drafts, governance, type Body } from '../../api'
import { t, tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'
import { formField, type FormField } from '../programme/form'

let bodiesOnce: Promise<Body[]> | null = null
/** The bodies the caller sees, asked once per page load. */
export function visibleBodies(): Promise<Body[]> {
  bodiesOnce ??= directory.listBodies().catch(() => {
    bodiesOnce = null
    return [] as Body[]
  })
  return bodiesOnce
}

/** Fills `select` with one optgroup per body (bodies first in `first`), after an empty choice. */
async function fillAcrossBodies<T>(select: HTMLSelectElement, empty: MessageKey, load: (bodyId: number) => Promise<T[]>, option: (item: T) => [string, string], first?: number): Promise<void> {
  const bodies = [...(await visibleBodies())].sort((a, b) => (a.id === first ? -1 : b.id === first ? 1 : 0))
  const groups = await Promise.all(bodies.map(async (body) => ({ body, items: await load(body.id).catch(() => [] as T[]) })))
  select.replaceChildren(tr(h('option', { value: '' }), empty))
  for (const { body, items } of groups) {
    if (items.length === 0) continue
    const group = h('optgroup', { label: body.name })
    for (const item of items) {
      const [value, label] = option(item)
      group.append(h('option', { value }, label))
    }
    select.append(group)
  }
}

export interface VersionPicker {
  element: HTMLElement
  draft: FormField
  version: FormField
  /** Loads the drafts (once). */
  load(): Promise<void>
  versionId(): number | undefined
}

/** A draft, then one of its versions. */
export function versionPicker(prefix: string, firstBody?: number): VersionPicker {
  const draftSelect = h('select', { id: `${prefix}-draft` })
  draftSelect.append(tr(h('option', { value: '' }), 'app.loading'))
  const versionSelect = h('select', { id: `${prefix}-version`, disabled: true })
  versionSelect.append(tr(h('option', { value: '' }), 'picker.pickDraftFirst'))
  const draft = formField('picker.draft', draftSelect)
  const version = formField('picker.version', versionSelect, 'picker.versionHint')
  let loading: Promise<void> | null = null
  draftSelect.addEventListener('change', () => {
    const id = Number(draftSelect.value)
    versionSelect.disabled = true
    if (!id) {
      versionSelect.replaceChildren(tr(h('option', { value: '' }), 'picker.pickDraftFirst'))
      return
    }
    versionSelect.replaceChildren(tr(h('option', { value: '' }), 'app.loading'))
    void drafts
      .listVersions(id)
      .then((list) => {
        if (Number(draftSelect.value) !== id) return
        if (list.length === 0) {
          versionSelect.replaceChildren(tr(h('option', { value: '' }), 'picker.noVersions'))
          return
        }
        versionSelect.replaceChildren(tr(h('option', { value: '' }), 'picker.pickVersion'), ...[...list].sort((a, b) => b.created_at - a.created_at).map((v) => h('option', { value: String(v.id) }, `${v.name} (${t(`status.${v.status}` as MessageKey)})`)))
        versionSelect.disabled = false
      })
      .catch(() => versionSelect.replaceChildren(tr(h('option', { value: '' }), 'picker.noVersions')))
  })
  return {
    element: h('div', { class: 'grid-form' }, draft.element, version.element),
    draft,
    version,
    load() {
      loading ??= fillAcrossBodies(draftSelect, 'picker.pickDraft', drafts.listDrafts, (d) => [String(d.id), d.title], firstBody)
      return loading
    },
    versionId: () => (versionSelect.value ? Number(versionSelect.value) : undefined),
  }
}

/** One select of milestones or disputes across the visible bodies. */
export function thingPicker(prefix: string, kind: 'milestone' | 'dispute', firstBody?: number): { field: FormField; load(): Promise<void>; value(): number | undefined } {
  const select = h('select', { id: `${prefix}-${kind}` })
  select.append(tr(h('option', { value: '' }), 'app.loading'))
  const f = formField(kind === 'milestone' ? 'picker.milestone' : 'picker.dispute', select)
  let loading: Promise<void> | null = null
  return {
    field: f,
    load() {
      loading ??=
        kind === 'milestone'
          ? fillAcrossBodies(select, 'picker.pickMilestone', governance.milestones, (m) => [String(m.id), `${m.title} (${m.due.raw || '—'})`], firstBody)
          : fillAcrossBodies(select, 'picker.pickDispute', governance.disputes, (d) => [String(d.id), d.title], firstBody)
      return loading
    },
    value: () => (select.value ? Number(select.value) : undefined),
  }
}
