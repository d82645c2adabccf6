// Dates and times as Polder shows them: always Dutch time (Europe/Amsterdam), whatever zone the
// browser is in, in the chosen language. No runtime imports, so the unit tests load it as is.

/** The zone of every date and time Polder shows. */
export const TIME_ZONE = 'Europe/Amsterdam'

type Lang = 'nl' | 'en'

function locale(lang: Lang): string {
  return lang === 'nl' ? 'nl-NL' : 'en-GB'
}

/** A moment as Dutch date and time ("1 dec 2026 15:40"). */
export function formatMoment(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(date)
}

/**
 * A calendar day written `YYYY-MM-DD` (a due date, "today") as a date ("26 mei 2026"). A day
 * has no time of day, so no zone can move it to another day. Anything else is returned as is.
 */
export function formatDay(day: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim())
  if (!match) return day
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const noon = new Date(Date.UTC(year, month - 1, date, 12))
  if (noon.getUTCMonth() !== month - 1 || noon.getUTCDate() !== date) return day
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(noon)
}
