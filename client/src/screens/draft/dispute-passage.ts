// Disputes and the draft's text: the selected text as a dispute's passage, and, when the draft
// is opened from a dispute (?dispute=12), that dispute's passage found, selected and scrolled
// into view, with a banner that links back to the dispute.
import type { Node as PmNode } from 'prosemirror-model'
import { TextSelection } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { governance } from '../../api'
import { t, tr } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'

/** The selected text (blocks joined by a space), or null for an empty selection. */
export function selectedText(view: EditorView | null | undefined): string | null {
  if (!view) return null
  const { from, to, empty } = view.state.selection
  if (empty) return null
  const text = view.state.doc.textBetween(from, to, ' ').trim()
  return text || null
}

/** Where `passage` is in the document (whitespace-insensitive), or null. */
export function findPassage(doc: PmNode, passage: string): { from: number; to: number } | null {
  let text = ''
  const positions: number[] = []
  doc.descendants((node, pos) => {
    if (node.isText && node.text) {
      for (let i = 0; i < node.text.length; i++) {
        text += node.text[i]
        positions.push(pos + i)
      }
    } else if (node.isBlock && text.length > 0) {
      text += ' '
      positions.push(-1)
    }
    return true
  })
  // compare with runs of whitespace folded to one space
  let folded = ''
  const map: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = /\s/.test(text[i] ?? '') ? ' ' : (text[i] ?? '')
    if (ch === ' ' && folded.endsWith(' ')) continue
    folded += ch
    map.push(i)
  }
  const wanted = passage.replace(/\s+/g, ' ').trim()
  if (!wanted) return null
  const at = folded.indexOf(wanted)
  if (at < 0) return null
  const startIndex = map[at]
  const endIndex = map[at + wanted.length - 1]
  if (startIndex === undefined || endIndex === undefined) return null
  const from = positions[startIndex]
  const last = positions[endIndex]
  if (from === undefined || last === undefined || from < 0 || last < 0) return null
  return { from, to: last + 1 }
}

/** Selects and scrolls to the passage; true when it was found. */
export function revealPassage(view: EditorView, passage: string): boolean {
  const range = findPassage(view.state.doc, passage)
  if (!range) return false
  const selection = TextSelection.create(view.state.doc, range.from, range.to)
  view.dispatch(view.state.tr.setSelection(selection).scrollIntoView().setMeta('addToHistory', false))
  view.focus()
  return true
}

/**
 * For a draft opened from a dispute: a banner linking back to it, and a function to call once
 * the text has synced, which selects the passage.
 */
export async function disputeBanner(disputeId: number): Promise<{ element: HTMLElement; reveal(view: EditorView): void } | null> {
  let passage: string | null = null
  let title = ''
  try {
    const dossier = await governance.dispute(disputeId)
    passage = dossier.dispute.passage
    title = dossier.dispute.title
  } catch {
    return null
  }
  const status = h('span', { class: 'muted', id: 'dispute-passage-status' })
  const element = h(
    'div',
    { class: 'alert dispute-banner', id: 'dispute-banner' },
    tr(h('span', {}), 'disputeSubject.banner', { title }),
    ' ',
    tr(h('a', { href: `/disputes/${disputeId}`, 'data-link': true, id: 'dispute-banner-link' }), 'disputeSubject.backToDispute'),
    ' ',
    status,
  )
  let done = false
  return {
    element,
    reveal(view) {
      if (done || !passage) return
      if (revealPassage(view, passage)) {
        done = true
        tr(status, 'disputeSubject.passageShown')
        announce(t('disputeSubject.passageShown'))
      } else {
        tr(status, 'disputeSubject.passageGone')
      }
    },
  }
}
