// The import wizard, /groups/{id}/import (chair and secretariat): choose a CSV, TSV or XLSX
// table → dry run → the report (summary line, every flagged row and error with its line and
// reason, the headings it would create as action lines and sub-lines, and the milestones under
// them) → resolve each party name the register does not know (map it to a party, or create
// one; the dry run runs again) → "Importeren" stores it → result.
import { directory, governance, type ImportAnswer, type Party } from '../api'
import type { ImportFormat } from '../api/governance'
import type { App } from '../app'
import { t, tr } from '../i18n'
import type { Screen } from '../router'
import { announce } from '../ui/announce'
import { h } from '../ui/dom'
import { describeError } from '../ui/errors'
import { busy, field, loading, messageBox, section, select } from '../ui/widgets'
import { headingTree } from './import/headings'
import { headingPath } from './import/plan'
import { unknownPartiesStep } from './import/unknown-parties'

export function formatOf(name: string): ImportFormat | null {
  const ext = name.toLowerCase().split('.').pop() ?? ''
  if (ext === 'csv') return 'csv'
  if (ext === 'tsv' || ext === 'tab') return 'tsv'
  if (ext === 'xlsx') return 'xlsx'
  return null
}

function issueTable(id: string, caption: 'import.flagged' | 'import.errors', issues: ImportAnswer['flagged']): HTMLElement {
  if (issues.length === 0) return h('div', { id }, tr(h('h3', {}), caption, { count: 0 }), tr(h('p', { class: 'muted' }), 'milestone.none'))
  return h(
    'div',
    { id, class: 'table-wrap' },
    tr(h('h3', { id: `${id}-title` }), caption, { count: issues.length }),
    h(
      'table',
      { class: 'table', 'aria-labelledby': `${id}-title` },
      h('thead', {}, h('tr', {}, tr(h('th', { scope: 'col' }), 'import.line'), tr(h('th', { scope: 'col' }), 'import.reason'))),
      h('tbody', {}, ...issues.map((issue) => h('tr', { 'data-line': String(issue.line) }, h('th', { scope: 'row' }, tr(h('span', {}), 'import.lineN', { line: issue.line })), h('td', {}, issue.reason)))),
    ),
  )
}

function report(answer: ImportAnswer, unknownStep: HTMLElement | null): HTMLElement[] {
  const milestones = answer.plan.milestones
  return [
    h('p', { id: 'import-summary', class: 'import-summary' }, tr(h('span', {}), 'import.summary'), ' ', h('code', {}, answer.summary)),
    issueTable('import-flagged', 'import.flagged', answer.flagged),
    issueTable('import-errors', 'import.errors', answer.errors),
    ...(unknownStep ? [unknownStep] : []),
    tr(h('h3', {}), 'import.actionLines', { count: answer.plan.action_lines.length }),
    headingTree(answer.plan),
    tr(h('h3', { id: 'import-milestones-title' }), 'import.milestones', { count: milestones.length }),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table', id: 'import-milestones', 'aria-labelledby': 'import-milestones-title' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            tr(h('th', { scope: 'col' }), 'import.line'),
            tr(h('th', { scope: 'col' }), 'import.title_col'),
            tr(h('th', { scope: 'col' }), 'import.actionLine'),
            tr(h('th', { scope: 'col' }), 'import.due'),
            tr(h('th', { scope: 'col' }), 'import.lead'),
            tr(h('th', { scope: 'col' }), 'import.status'),
          ),
        ),
        h(
          'tbody',
          {},
          ...milestones.map((m) =>
            h(
              'tr',
              { 'data-line': String(m.line) },
              h('td', {}, String(m.line)),
              h('th', { scope: 'row' }, m.title),
              h('td', {}, headingPath(answer.plan, m.action_line_key) ?? '—'),
              h('td', {}, m.due.raw || '—', m.due.uncertain ? tr(h('span', { class: 'muted' }), 'import.uncertain') : null),
              h('td', {}, [...m.lead, ...m.unknown_parties.map((p) => `${p}?`)].join(', ') || '—'),
              h('td', {}, m.status ?? '—'),
            ),
          ),
        ),
      ),
    ),
  ]
}

export function importScreen(app: App, bodyId: number): Screen {
  return {
    title: () => t('import.title'),
    async mount(main) {
      const me = app.me
      if (!me) return
      main.append(loading())
      let lead = false
      let bodyName = ''
      let parties: Party[] = []
      try {
        const [body, members, register] = await Promise.all([directory.getBody(bodyId), directory.listMembers(bodyId), directory.listParties()])
        bodyName = body.name
        parties = register
        const role = members.find((m) => m.person_id === me.id)?.role
        lead = role === 'chair' || role === 'secretariat'
      } catch (error) {
        main.replaceChildren(tr(h('h1', {}), 'import.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
        return
      }
      const header = [
        h('p', { class: 'back' }, h('a', { href: `/groups/${bodyId}`, 'data-link': true }, tr(h('span', {}), 'import.back', { name: bodyName }))),
        tr(h('h1', {}), 'import.title'),
      ]
      if (!lead) {
        main.replaceChildren(...header, tr(h('p', { class: 'alert alert-error', role: 'alert' }), 'import.notAllowed'))
        return
      }
      const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.tsv,.tab,.xlsx,text/csv,text/tab-separated-values' })
      const format = select(
        [
          ['', 'import.formatAuto', true],
          ['csv', 'CSV'],
          ['tsv', 'TSV'],
          ['xlsx', 'XLSX (Excel)'],
        ],
        { id: 'import-format' },
      )
      const errors = messageBox()
      const dryRun = tr(h('button', { type: 'submit', class: 'button-primary' }), 'import.dryRun')
      const form = h(
        'form',
        { novalidate: true, class: 'stack', id: 'import-form' },
        errors.element,
        field('import.file', file, 'import.fileHint'),
        field('import.format', format),
        h('div', { class: 'actions' }, dryRun),
      )
      const reportHolder = h('div', { id: 'import-report', 'aria-live': 'polite' })
      const resultHolder = h('div', { id: 'import-result' })
      const reportSection = section('import-step-report', 'import.reportTitle', reportHolder)
      reportSection.hidden = true
      const resultSection = section('import-step-result', 'import.resultTitle', resultHolder)
      resultSection.hidden = true

      const chosen = (): { blob: File; format: ImportFormat } | null => {
        const picked = file.files?.[0]
        if (!picked) {
          errors.text('import.noFile')
          file.focus()
          return null
        }
        const fmt = (format.value as ImportFormat | '') || formatOf(picked.name)
        if (!fmt) {
          errors.text('import.unknownFormat')
          format.focus()
          return null
        }
        return { blob: picked, format: fmt }
      }

      const commit = tr(h('button', { type: 'button', class: 'button-primary', id: 'import-commit' }), 'import.commit')
      commit.addEventListener('click', () => {
        const input = chosen()
        if (!input) return
        void busy(commit, async () => {
          try {
            const answer = await governance.importTable(bodyId, input.blob, { dryRun: false, format: input.format, name: input.blob.name })
            const stored = answer.stored
            resultHolder.replaceChildren(
              h('p', { class: 'alert alert-ok', role: 'status', id: 'import-done' }, tr(h('span', {}), 'import.done', {
                milestones: stored?.milestones_created ?? 0,
                updated: stored?.milestones_updated ?? 0,
                lines: stored?.action_lines_created ?? 0,
              })),
              h('p', {}, tr(h('span', {}), 'import.summary'), ' ', h('code', {}, answer.summary)),
              h('p', {}, tr(h('a', { href: `/groups/${bodyId}/programme`, 'data-link': true, id: 'import-to-programme' }), 'import.toProgramme')),
            )
            reportSection.hidden = true
            resultSection.hidden = false
            announce(t('import.doneShort'))
            resultSection.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1')
            resultSection.querySelector<HTMLElement>('h2')?.focus()
          } catch (error) {
            errors.error(error)
          }
        })
      })

      /** Runs the dry run and shows its report. */
      const dryRunNow = async (input: { blob: File; format: ImportFormat }): Promise<ImportAnswer> => {
        const answer = await governance.importTable(bodyId, input.blob, { dryRun: true, format: input.format, name: input.blob.name })
        const unknownStep = unknownPartiesStep(bodyId, answer, parties, (party, created, name) => {
          if (created) parties = [...parties, party].sort((a, b) => a.code.localeCompare(b.code))
          const said = created ? t('importParties.created', { name, code: party.code }) : t('importParties.mapped', { name, code: party.code })
          void dryRunNow(input)
            .then((again) => {
              announce(`${said} ${again.summary}`)
              const next = reportHolder.querySelector<HTMLElement>('#import-unknown-parties select')
              ;(next ?? commit).focus()
            })
            .catch((error: unknown) => errors.error(error))
        })
        reportHolder.replaceChildren(
          ...report(answer, unknownStep),
          tr(h('p', { class: 'hint' }), answer.unknown_parties.length ? 'importParties.commitHint' : 'import.commitHint'),
          h('div', { class: 'actions' }, commit),
        )
        reportSection.hidden = false
        resultSection.hidden = true
        return answer
      }

      form.addEventListener('submit', (event) => {
        event.preventDefault()
        errors.clear()
        const input = chosen()
        if (!input) return
        void busy(dryRun, async () => {
          try {
            const answer = await dryRunNow(input)
            announce(answer.summary)
          } catch (error) {
            errors.error(error)
          }
        })
      })
      main.replaceChildren(
        ...header,
        tr(h('p', { class: 'lead' }), 'import.intro'),
        section('import-step-file', 'import.chooseTitle', form),
        reportSection,
        resultSection,
      )
    },
  }
}
