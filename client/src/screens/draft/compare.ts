// Comparison of two versions (or a version and the current text), /drafts/{id}/compare?from&to:
// insertions and deletions marked in the colour of the author's party, with a legend.
import { drafts, type Author, type ComparedBlock, type ComparedRun } from '../../api'
import type { App } from '../../app'
import { t, tr, trAttr } from '../../i18n'
import type { Screen } from '../../router'
import { h } from '../../ui/dom'
import { describeError } from '../../ui/errors'
import { loading, partyChip } from '../../ui/widgets'

/** "#rrggbb" → rgba with the given alpha, for a light tint behind dark text. */
export function tint(hex: string, alpha: number): string {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim())
  if (!match) return 'transparent'
  const [r, g, b] = [match[1], match[2], match[3]].map((part) => parseInt(part as string, 16))
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

function runElement(run: ComparedRun): Node {
  let content: Node = document.createTextNode(run.text)
  if (run.marks.bold) content = h('strong', {}, content)
  if (run.marks.italic) content = h('em', {}, content)
  if (run.change === 'unchanged') return content
  const author = run.author
  const tag = run.change === 'inserted' ? 'ins' : 'del'
  const who = author ? `${author.name} (${author.party})` : t('compare.unknownAuthor')
  const label = t(run.change === 'inserted' ? 'compare.insertedBy' : 'compare.deletedBy', { who })
  const el = h(tag, { class: `change change-${run.change}`, 'data-party': author?.party ?? '', title: label }, h('span', { class: 'visually-hidden' }, `[${label}] `), content)
  const colour = author?.colour ?? '#4d4d4d'
  el.style.backgroundColor = tint(colour, 0.16)
  el.style.textDecorationColor = colour
  el.style.borderBottomColor = colour
  return el
}

export function blockElement(block: ComparedBlock): HTMLElement {
  const runs = block.runs.map(runElement)
  switch (block.kind.type) {
    case 'heading': {
      const level = Math.min(6, Math.max(3, Number(block.kind.detail ?? 1) + 2))
      return h(`h${level}` as 'h3', {}, ...runs)
    }
    case 'list_item':
      return h('p', { class: 'compare-list-item' }, h('span', { 'aria-hidden': 'true' }, '• '), ...runs)
    case 'quote':
      return h('blockquote', {}, ...runs)
    default:
      return h('p', {}, ...runs)
  }
}

function legend(authors: Author[]): HTMLElement {
  if (authors.length === 0) return tr(h('p', { class: 'muted' }), 'compare.noChanges')
  return h(
    'ul',
    { class: 'legend', id: 'compare-legend' },
    ...authors.map((author) => {
      const swatch = h('span', { class: 'legend-swatch', 'aria-hidden': 'true' })
      swatch.style.backgroundColor = tint(author.colour, 0.16)
      swatch.style.borderColor = author.colour
      return h('li', { 'data-party': author.party }, swatch, partyChip(author.party, author.colour), ' ', author.name)
    }),
  )
}

export function compareScreen(app: App, draftId: number, query: URLSearchParams): Screen {
  let title = t('compare.title')
  return {
    title: () => title,
    async mount(main) {
      void app
      const from = Number(query.get('from'))
      const toParam = query.get('to') ?? 'current'
      const to = toParam === 'current' ? 'current' : Number(toParam)
      main.append(loading())
      try {
        const [draft, versions, comparison] = await Promise.all([drafts.getDraft(draftId), drafts.listVersions(draftId), drafts.compare(draftId, from, to)])
        const nameOf = (id: number | 'current'): string => (id === 'current' ? t('versions.current') : (versions.find((v) => v.id === id)?.name ?? `#${id}`))
        title = t('compare.titleFor', { title: draft.title })
        const docx = trAttr(h('a', { href: drafts.compareUrl(draftId, from, to, 'docx'), download: '' }), 'aria-label', 'compare.downloadDocx')
        docx.textContent = 'DOCX'
        const pdf = trAttr(h('a', { href: drafts.compareUrl(draftId, from, to, 'pdf'), download: '', id: 'compare-pdf' }), 'aria-label', 'compare.downloadPdf')
        pdf.textContent = 'PDF'
        const md = trAttr(h('a', { href: drafts.compareUrl(draftId, from, to, 'markdown'), download: '' }), 'aria-label', 'compare.downloadMarkdown')
        md.textContent = 'Markdown'
        main.replaceChildren(
          h('p', { class: 'back' }, tr(h('a', { href: `/drafts/${draftId}`, 'data-link': true }), 'compare.back')),
          tr(h('h1', {}), 'compare.titleFor', { title: draft.title }),
          tr(h('p', { class: 'lead' }), 'compare.between', { from: nameOf(from), to: nameOf(to) }),
          h(
            'div',
            { class: 'compare-layout' },
            h('article', { class: 'card compare-text', 'aria-labelledby': 'compare-text-title' }, tr(h('h2', { id: 'compare-text-title', class: 'visually-hidden' }), 'compare.textTitle'), ...comparison.blocks.map(blockElement)),
            h(
              'aside',
              { class: 'card compare-side', 'aria-labelledby': 'legend-title' },
              tr(h('h2', { id: 'legend-title' }), 'compare.legend'),
              tr(h('p', { class: 'hint' }), 'compare.legendHint'),
              legend(comparison.authors),
              h('p', { class: 'export-links' }, tr(h('span', {}), 'compare.download'), ' ', pdf, ' ', docx, ' ', md),
            ),
          ),
        )
      } catch (error) {
        title = t('compare.title')
        main.replaceChildren(tr(h('h1', {}), 'compare.title'), h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)))
      }
    },
  }
}
