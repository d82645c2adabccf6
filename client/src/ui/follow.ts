// A follow toggle for a draft or a milestone: a button with a fixed label and aria-pressed,
// and beside it who follows. Following means the thing's status changes reach me (inbox,
// e-mail as I chose). The result is announced.
import { follows, type FollowKind } from '../api'
import { t, tr } from '../i18n'
import { announce } from './announce'
import { h } from './dom'
import { busy, messageBox } from './widgets'

export function followButton(kind: FollowKind, id: number): HTMLElement {
  const errors = messageBox()
  const button = h('button', { type: 'button', class: 'button-quiet follow-button', 'aria-pressed': 'false', disabled: true })
  const count = h('span', { class: 'muted follow-count' })
  let following = false
  const show = (state: { following: boolean; followers: number }): void => {
    following = state.following
    button.setAttribute('aria-pressed', String(following))
    button.classList.toggle('follow-on', following)
    const key = following ? (state.followers === 1 ? 'follow.youOnly' : 'follow.youAndOthers') : state.followers === 1 ? 'follow.countOne' : 'follow.count'
    tr(count, key, { count: String(state.followers) })
  }
  button.addEventListener('click', () =>
    void busy(button, async () => {
      try {
        const state = await follows.setFollowing(kind, id, !following)
        show(state)
        errors.clear()
        announce(t(state.following ? (kind === 'draft' ? 'follow.nowDraft' : 'follow.nowMilestone') : 'follow.stopped'))
      } catch (error) {
        errors.error(error)
      }
    }),
  )
  tr(button, 'follow.follow')
  void follows
    .followState(kind, id)
    .then((state) => {
      show(state)
      button.disabled = false
    })
    .catch((error: unknown) => errors.error(error))
  return h('div', { class: 'follow', 'data-follow': kind }, button, ' ', count, errors.element)
}
