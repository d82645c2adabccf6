// Tiny i18n: `t(key, params)` looks a string up in the current dictionary. Elements made with
// `tr()`/`trAttr()` remember their key, so switching the language re-translates the live DOM
// in place (an open editor keeps its state) instead of re-rendering screens.
import { nl, type MessageKey, type Messages } from './nl'
import { en } from './en'
import * as dates from './dates'

export type { MessageKey }
export type Lang = 'nl' | 'en'
export type Params = Record<string, string | number>

const dictionaries: Record<Lang, Messages> = { nl, en }
const STORAGE_KEY = 'polder.lang'
const listeners = new Set<(lang: Lang) => void>()

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY)
    if (stored === 'nl' || stored === 'en') return stored
  } catch {
    // storage unavailable (private mode): fall back to Dutch
  }
  return 'nl'
}

let current: Lang = initialLang()

export function getLang(): Lang {
  return current
}

export function t(key: MessageKey, params?: Params): string {
  const template = dictionaries[current][key]
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** Sets the element's text to `t(key, params)` and keeps it translated on language switches. */
export function tr<E extends HTMLElement>(el: E, key: MessageKey, params?: Params): E {
  el.dataset.i18n = key
  if (params) el.dataset.i18nParams = JSON.stringify(params)
  else delete el.dataset.i18nParams
  el.textContent = t(key, params)
  return el
}

/** Like `tr` for an attribute (aria-label, title, placeholder, …). */
export function trAttr<E extends HTMLElement>(el: E, attr: string, key: MessageKey, params?: Params): E {
  const map = readAttrMap(el)
  map[attr] = params ? [key, params] : [key]
  el.dataset.i18nAttrs = JSON.stringify(map)
  el.setAttribute(attr, t(key, params))
  return el
}

type AttrMap = Record<string, [MessageKey] | [MessageKey, Params]>

function readAttrMap(el: HTMLElement): AttrMap {
  return el.dataset.i18nAttrs ? (JSON.parse(el.dataset.i18nAttrs) as AttrMap) : {}
}

function applyTranslations(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const params = el.dataset.i18nParams ? (JSON.parse(el.dataset.i18nParams) as Params) : undefined
    el.textContent = t(el.dataset.i18n as MessageKey, params)
  })
  root.querySelectorAll<HTMLElement>('[data-i18n-attrs]').forEach((el) => {
    for (const [attr, [key, params]] of Object.entries(readAttrMap(el))) {
      el.setAttribute(attr, t(key, params))
    }
  })
}

export function setLang(lang: Lang): void {
  current = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // not persisted; fine
  }
  document.documentElement.lang = lang
  applyTranslations(document.body)
  listeners.forEach((listener) => listener(lang))
}

/** Calls `listener` after every language switch; returns an unsubscribe function. */
export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export { TIME_ZONE } from './dates'

/** A moment as Dutch date and time ("1 dec 2026 15:40"), in the current language. */
export function formatDate(date: Date): string {
  return dates.formatMoment(date, current)
}

/**
 * A calendar day written `YYYY-MM-DD` (a due date, "today") as a date in the current language
 * ("26 mei 2026"); anything else as it is.
 */
export function formatDay(day: string): string {
  return dates.formatDay(day, current)
}
