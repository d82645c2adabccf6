import { ApiError, NetworkError } from '../api'
import { t } from '../i18n'

/** Turns any failure into one plain sentence for the user, in the current language. */
export function describeError(error: unknown, context: 'sign-in' | 'other' = 'other'): string {
  if (error instanceof NetworkError) return t('error.unreachable')
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfter !== null
        ? t('error.tooManyAttemptsSeconds', { seconds: error.retryAfter })
        : t('error.tooManyAttempts')
    }
    if (error.status === 401) {
      return context === 'sign-in' ? t('error.wrongCredentials') : t('error.sessionExpired')
    }
    if (error.code.startsWith('csrf')) return t('error.csrf')
    if (error.status === 403) return t('error.forbidden')
    if (error.status === 404) return t('error.notFound')
    if (error.status === 502 || error.status === 503 || error.status === 504) return t('error.unreachable')
    if (error.status >= 500) return t('error.server')
    // a validation error and the like: the server's own message is the most precise
    return error.message ? t('error.withMessage', { message: error.message }) : t('error.server')
  }
  return t('error.withMessage', { message: error instanceof Error ? error.message : String(error) })
}
