// The "unknown parties" step of the import wizard: every party name the register does not
// know, with the rows that name it. Per name the programme team maps it to an existing party
// (it becomes an alias) or creates a party for it; either is remembered by the server, so the
// dry run that follows (and every later import) recognises the name.
import { ApiError, governance, type ImportAnswer, type Party } from '../../api'
import { t, tr } from '../../i18n'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { busy, field } from '../../ui/widgets'
import { codeFrom } from './plan'

const NEW = '__new'

/** The control a server error is about, by the field the message starts with. */
export function fieldOfError(error: unknown): 'party' | 'code' | 'name' | 'colour' | null {
  if (!(error instanceof ApiError)) return null
  const match = /^([a-z_.]+): /.exec(error.message)
  const named = match?.[1]
  if (named === 'create.code') return 'code'
  if (named === 'create.name') return 'name'
  if (named === 'create.colour') return 'colour'
  if (named === 'party' || named === 'name') return 'party'
  if (error.status === 409) return /code/.test(error.message) ? 'code' : 'party'
  return null
}

let counter = 0

function resolver(
  bodyId: number,
  unknown: ImportAnswer['unknown_parties'][number],
  parties: Party[],
  onResolved: (party: Party, created: boolean, name: string) => void,
): HTMLElement {
  const id = `unknown-${++counter}`
  const choice = h('select', { id: `${id}-party`, 'data-unknown': unknown.name })
  choice.append(tr(h('option', { value: '' }), 'importParties.choose'))
  for (const party of parties) choice.append(h('option', { value: party.code }, `${party.code} — ${party.name}`))
  choice.append(tr(h('option', { value: NEW }), 'importParties.createOption'))
  const code = h('input', { type: 'text', id: `${id}-code`, autocomplete: 'off', value: codeFrom(unknown.name) })
  const name = h('input', { type: 'text', id: `${id}-name`, autocomplete: 'off', value: unknown.name })
  const colour = h('input', { type: 'color', id: `${id}-colour`, value: '#5b5b5b' })
  const createFields = h(
    'div',
    { class: 'stack', id: `${id}-create` },
    field('importParties.code', code, 'importParties.codeHint'),
    field('importParties.name', name),
    field('importParties.colour', colour),
  )
  createFields.hidden = true
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' })
  error.hidden = true
  const controls = { party: choice, code, name, colour }
  const clearError = (): void => {
    error.hidden = true
    error.textContent = ''
    for (const control of Object.values(controls)) {
      control.removeAttribute('aria-invalid')
      const hint = control.getAttribute('aria-describedby')?.split(' ').filter((part) => part !== error.id).join(' ')
      if (hint) control.setAttribute('aria-describedby', hint)
      else control.removeAttribute('aria-describedby')
    }
  }
  const showError = (at: keyof typeof controls, message: string): void => {
    const control = controls[at]
    error.textContent = message
    error.hidden = false
    control.setAttribute('aria-invalid', 'true')
    const described = control.getAttribute('aria-describedby')
    control.setAttribute('aria-describedby', described ? `${described} ${error.id}` : error.id)
    control.focus()
  }
  choice.addEventListener('change', () => {
    createFields.hidden = choice.value !== NEW
    clearError()
  })
  const save = tr(h('button', { type: 'submit', class: 'button-quiet', id: `${id}-save` }), 'importParties.save')
  const form = h(
    'form',
    { novalidate: true, class: 'unknown-party', 'data-unknown': unknown.name },
    h(
      'fieldset',
      {},
      tr(h('legend', {}), 'importParties.legend', { name: unknown.name, lines: unknown.lines.join(', ') }),
      field('importParties.what', choice, 'importParties.whatHint'),
      createFields,
      error,
      h('div', { class: 'actions' }, save),
    ),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    clearError()
    if (!choice.value) {
      showError('party', t('importParties.chooseFirst'))
      return
    }
    const creating = choice.value === NEW
    if (creating && !code.value.trim()) {
      showError('code', t('error.required', { field: t('importParties.code') }))
      return
    }
    if (creating && !name.value.trim()) {
      showError('name', t('error.required', { field: t('importParties.name') }))
      return
    }
    void busy(save, async () => {
      try {
        const party = await governance.resolveImportParty(
          bodyId,
          creating
            ? { name: unknown.name, create: { code: code.value.trim(), name: name.value.trim(), colour: colour.value } }
            : { name: unknown.name, party: choice.value },
        )
        onResolved(party, creating, unknown.name)
      } catch (failure) {
        showError(fieldOfError(failure) ?? (creating ? 'code' : 'party'), describeError(failure))
      }
    })
  })
  return form
}

/** The unknown-parties step, or null when the dry run met none. */
export function unknownPartiesStep(
  bodyId: number,
  answer: ImportAnswer,
  parties: Party[],
  onResolved: (party: Party, created: boolean, name: string) => void,
): HTMLElement | null {
  if (answer.unknown_parties.length === 0) return null
  return h(
    'div',
    { id: 'import-unknown-parties' },
    tr(h('h3', {}), 'importParties.title', { count: answer.unknown_parties.length }),
    tr(h('p', { class: 'hint' }), 'importParties.intro'),
    ...answer.unknown_parties.map((unknown) => resolver(bodyId, unknown, parties, onResolved)),
  )
}
