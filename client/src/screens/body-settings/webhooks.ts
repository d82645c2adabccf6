// A body's webhooks: the list, a form to add one (its signing secret shown once), switching
// one off, and per webhook its delivery log, a page at a time. A URL the server's address
// policy refuses is explained at the URL field.
import { ApiError, settings } from '../../api'
import { formatDate, t, tr, trAttr, type MessageKey } from '../../i18n'
import { announce } from '../../ui/announce'
import { h } from '../../ui/dom'
import { busy, dateText, field, loading, messageBox } from '../../ui/widgets'
import { copyRow } from './copy'
import { fieldErrorBefore } from '../../ui/field-error'
import { invalidField, urlProblem } from './rules'

const LOG_PAGE = 10

const STATUS_KEYS: Record<settings.DeliveryStatus, MessageKey> = {
  pending: 'bodySettings.log.pending',
  delivered: 'bodySettings.log.delivered',
  failed: 'bodySettings.log.failed',
  cancelled: 'bodySettings.log.cancelled',
}

/** One webhook's delivery log, with previous/next page buttons. */
function deliveryLog(hook: settings.Webhook): { element: HTMLElement; load(offset?: number): Promise<void> } {
  const errors = messageBox()
  const body = h('div', {}, loading())
  const status = h('p', { class: 'hint', id: `log-${hook.id}-range`, 'aria-live': 'polite' })
  const previous = tr(h('button', { type: 'button', class: 'button-quiet' }), 'bodySettings.log.previous')
  const next = tr(h('button', { type: 'button', class: 'button-quiet' }), 'bodySettings.log.next')
  const refresh = tr(h('button', { type: 'button', class: 'button-quiet' }), 'bodySettings.log.refresh')
  let offset = 0
  const element = h(
    'div',
    { class: 'delivery-log', id: `log-${hook.id}`, role: 'region', 'aria-labelledby': `log-${hook.id}-title` },
    tr(h('h4', { id: `log-${hook.id}-title` }), 'bodySettings.log.title', { url: hook.url }),
    tr(h('p', { class: 'hint' }), 'bodySettings.log.intro'),
    errors.element,
    body,
    h('div', { class: 'actions' }, previous, next, refresh),
    status,
  )
  const load = async (at = offset): Promise<void> => {
    let page: Awaited<ReturnType<typeof settings.deliveries>>
    try {
      page = await settings.deliveries(hook.id, at, LOG_PAGE)
    } catch (error) {
      errors.error(error)
      return
    }
    errors.clear()
    offset = at
    previous.disabled = offset === 0
    next.disabled = offset + page.items.length >= page.total
    if (page.total === 0) {
      body.replaceChildren(tr(h('p', { class: 'muted' }), 'bodySettings.log.empty'))
      tr(status, 'bodySettings.log.none')
      return
    }
    tr(status, 'bodySettings.log.range', { from: offset + 1, to: offset + page.items.length, total: page.total })
    body.replaceChildren(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table delivery-table' },
          tr(h('caption', { class: 'visually-hidden' }), 'bodySettings.log.title', { url: hook.url }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              tr(h('th', { scope: 'col' }), 'bodySettings.log.time'),
              tr(h('th', { scope: 'col' }), 'bodySettings.log.event'),
              tr(h('th', { scope: 'col' }), 'bodySettings.log.status'),
              tr(h('th', { scope: 'col' }), 'bodySettings.log.attempts'),
            ),
          ),
          h(
            'tbody',
            {},
            ...page.items.map((delivery) =>
              h(
                'tr',
                { 'data-delivery': String(delivery.id), 'data-status': delivery.status },
                h('td', {}, dateText(delivery.created_at)),
                h('td', { class: 'subject' }, delivery.event_key),
                h('td', {}, tr(h('span', { class: `delivery-status delivery-${delivery.status}` }), STATUS_KEYS[delivery.status] ?? 'bodySettings.log.failed'), delivery.reason ? tr(h('span', { class: 'hint' }), 'bodySettings.log.reason') : null),
                h(
                  'td',
                  {},
                  delivery.attempts.length === 0
                    ? tr(h('span', { class: 'muted' }), 'bodySettings.log.noAttempts')
                    : h(
                        'ul',
                        { class: 'attempts' },
                        ...delivery.attempts.map((attempt) =>
                          tr(h('li', {}), attempt.result === 'delivered' ? 'bodySettings.log.attemptDelivered' : 'bodySettings.log.attemptFailed', { n: attempt.attempt, time: formatDate(new Date(attempt.at)) }),
                        ),
                      ),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }
  previous.addEventListener('click', () => void busy(previous, () => load(Math.max(0, offset - LOG_PAGE))))
  next.addEventListener('click', () => void busy(next, () => load(offset + LOG_PAGE)))
  refresh.addEventListener('click', () =>
    void busy(refresh, async () => {
      await load()
      announce(t('bodySettings.log.refreshed'))
    }),
  )
  return { element, load }
}

export function webhooksPart(bodyId: number): { element: HTMLElement; load(): Promise<void> } {
  const errors = messageBox()
  const listHolder = h('div', {}, loading())
  const reveal = h('div', { class: 'token-reveal', id: 'webhook-reveal' })
  reveal.hidden = true
  const url = h('input', { type: 'url', id: 'webhook-url', autocomplete: 'off', spellcheck: 'false', inputmode: 'url' })
  const urlField = field('bodySettings.webhooks.url', url, 'bodySettings.webhooks.urlHint')
  const urlError = fieldErrorBefore(url)
  const submit = tr(h('button', { type: 'submit', class: 'button-primary', id: 'webhook-add' }), 'bodySettings.webhooks.add')
  const form = h(
    'form',
    { novalidate: true, class: 'grid-form', id: 'webhook-form', 'aria-labelledby': 'webhook-form-title' },
    tr(h('h3', { id: 'webhook-form-title' }), 'bodySettings.webhooks.addTitle'),
    urlField,
    h('div', { class: 'actions' }, submit),
  )
  const logs = new Map<number, ReturnType<typeof deliveryLog>>()

  const load = async (): Promise<void> => {
    let hooks: settings.Webhook[]
    try {
      hooks = await settings.webhooks(bodyId)
    } catch (error) {
      errors.error(error)
      listHolder.replaceChildren()
      return
    }
    if (hooks.length === 0) {
      listHolder.replaceChildren(tr(h('p', { class: 'muted' }), 'bodySettings.webhooks.none'))
      return
    }
    listHolder.replaceChildren(
      h(
        'ul',
        { class: 'webhook-list', id: 'webhook-list' },
        ...hooks.map((hook) => {
          const state = tr(h('span', { class: hook.active ? 'webhook-on' : 'webhook-off muted' }), hook.active ? 'bodySettings.webhooks.active' : 'bodySettings.webhooks.inactive')
          const logToggle = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', 'aria-expanded': 'false', 'aria-controls': `log-${hook.id}`, 'data-action': 'log' }), 'bodySettings.webhooks.showLog'), 'aria-label', 'bodySettings.webhooks.showLogOf', { url: hook.url })
          const off = trAttr(tr(h('button', { type: 'button', class: 'button-quiet', 'data-action': 'off' }), 'bodySettings.webhooks.switchOff'), 'aria-label', 'bodySettings.webhooks.switchOffOf', { url: hook.url })
          off.hidden = !hook.active
          const shownAs = (open: boolean): void => {
            logToggle.setAttribute('aria-expanded', String(open))
            tr(logToggle, open ? 'bodySettings.webhooks.hideLog' : 'bodySettings.webhooks.showLog')
            trAttr(logToggle, 'aria-label', open ? 'bodySettings.webhooks.hideLogOf' : 'bodySettings.webhooks.showLogOf', { url: hook.url })
          }
          const item = h(
            'li',
            { class: 'webhook', 'data-webhook': String(hook.id) },
            h('div', { class: 'webhook-head' }, h('code', { class: 'webhook-url' }, hook.url), ' ', state, ' ', h('span', { class: 'muted' }, tr(h('span', {}), 'bodySettings.webhooks.since'), ' ', dateText(hook.created_at))),
            h('div', { class: 'actions' }, logToggle, off),
          )
          // a log that was open stays open (and current) when the list is reloaded
          const open = logs.get(hook.id)
          if (open) {
            item.append(open.element)
            shownAs(true)
            void open.load()
          }
          logToggle.addEventListener('click', () => {
            const shown = logs.get(hook.id)
            if (shown) {
              shown.element.remove()
              logs.delete(hook.id)
              shownAs(false)
              return
            }
            const log = deliveryLog(hook)
            logs.set(hook.id, log)
            item.append(log.element)
            shownAs(true)
            void busy(logToggle, () => log.load(0))
          })
          off.addEventListener('click', () => {
            if (!window.confirm(t('bodySettings.webhooks.confirmOff', { url: hook.url }))) return
            void busy(off, async () => {
              try {
                await settings.switchOffWebhook(hook.id)
                announce(t('bodySettings.webhooks.switchedOff', { url: hook.url }))
                await load()
                listHolder.querySelector<HTMLElement>(`[data-webhook="${hook.id}"] [data-action="log"]`)?.focus()
              } catch (error) {
                errors.error(error)
              }
            })
          })
          return item
        }),
      ),
    )
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    errors.clear()
    urlError.clear()
    const value = url.value.trim()
    if (!value) {
      urlError.showKey('bodySettings.webhooks.urlRequired')
      url.focus()
      return
    }
    void busy(submit, async () => {
      try {
        const created = await settings.addWebhook(bodyId, value)
        form.reset()
        reveal.replaceChildren(
          tr(h('h3', { tabindex: -1, id: 'webhook-reveal-title' }), 'bodySettings.webhooks.created', { url: created.url }),
          tr(h('p', {}), 'bodySettings.webhooks.secretOnce'),
          copyRow('webhook-secret', 'bodySettings.webhooks.secret', created.secret),
        )
        reveal.hidden = false
        reveal.querySelector<HTMLElement>('h3')?.focus()
        announce(t('bodySettings.webhooks.created', { url: created.url }))
        await load()
      } catch (error) {
        const named = error instanceof ApiError && error.status === 422 ? invalidField(error.message) : null
        if (named?.field === 'url') {
          const key = urlProblem(named.detail)
          if (key) urlError.showKey(key)
          else urlError.show(t('error.withMessage', { message: named.detail }))
          url.focus()
        } else {
          errors.error(error)
        }
      }
    })
  })

  return { element: h('div', {}, errors.element, reveal, listHolder, form), load }
}
