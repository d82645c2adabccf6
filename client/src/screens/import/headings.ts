// The headings of a dry run as a tree: every action line with its number, the line it came
// from, how many milestones it groups, and its sub-lines nested inside it.
import type { ImportAnswer } from '../../api'
import { tr } from '../../i18n'
import { h } from '../../ui/dom'
import { headingText } from './plan'

type Plan = ImportAnswer['plan']

function branch(plan: Plan, parent: string | null, depth: number): HTMLElement | null {
  const children = plan.action_lines.filter((line) => line.parent_key === parent)
  if (children.length === 0 || depth > 12) return null
  return h(
    'ul',
    parent === null ? { id: 'import-action-lines', class: 'import-tree' } : { class: 'import-tree' },
    ...children.map((line) => {
      const count = plan.milestones.filter((m) => m.action_line_key === line.key).length
      return h(
        'li',
        { 'data-line': String(line.line), 'data-key': line.key, 'data-level': String(line.level) },
        h('span', { class: 'import-heading' }, headingText(line)),
        ' ',
        count === 1 ? tr(h('span', { class: 'muted' }), 'importHeadings.metaOne', { line: line.line }) : tr(h('span', { class: 'muted' }), 'importHeadings.meta', { line: line.line, count }),
        branch(plan, line.key, depth + 1),
      )
    }),
  )
}

/** The tree of headings, or a note that the table has none. */
export function headingTree(plan: Plan): HTMLElement {
  return branch(plan, null, 0) ?? tr(h('p', { class: 'muted', id: 'import-action-lines' }), 'importHeadings.none')
}
