// The one place that talks HTTP to the Polder server. Same origin, session cookie, JSON in and
// out; every non-GET request carries the session's CSRF token from its cookie
// (`__Host-polder_csrf` when served over HTTPS, `polder_csrf` over plain HTTP).

import type { Page } from './types'

/** The server's error shape: `{"error": {"code": "...", "message": "..."}}`. */
export interface ErrorBody {
  error: { code: string; message: string }
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from a `Retry-After` header, when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The server could not be reached at all (offline, DNS, refused, CORS). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'NetworkError'
  }
}

/** The CSRF cookie's names, most specific first: the `__Host-` one exists over HTTPS. */
export const CSRF_COOKIES = ['__Host-polder_csrf', 'polder_csrf'] as const
const CSRF_HEADER = 'x-csrf-token'

/** The session's CSRF token, from whichever of its cookies exists. */
export function readCsrfToken(): string | null {
  for (const name of CSRF_COOKIES) {
    const value = readCookie(name)
    if (value) return value
  }
  return null
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const unauthorizedListeners = new Set<() => void>()

/** Called when a request (other than signing in) finds the session gone. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export interface RequestOptions {
  /** Do not report a 401 to `onUnauthorized` listeners (sign-in, `/api/me`). */
  expectUnauthorized?: boolean
  signal?: AbortSignal
}

export async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  // a Blob (a file to upload) goes as the raw body; anything else as JSON
  // a FormData (multipart with files) goes as it is: the browser sets its content type
  const raw = body instanceof Blob || body instanceof FormData
  if (body instanceof Blob) headers['content-type'] = body.type || 'application/octet-stream'
  else if (!raw && body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') {
    const csrf = readCsrfToken()
    if (csrf) headers[CSRF_HEADER] = csrf
  }
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : raw ? (body as Blob | FormData) : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal ?? null,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new NetworkError(cause)
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (error.status === 401 && !options.expectUnauthorized) {
      unauthorizedListeners.forEach((listener) => listener())
    }
    throw error
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** A GET whose answer is a file: its bytes as a Blob, with the API's errors as for `request`. */
export async function requestBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  let response: Response
  try {
    response = await fetch(path, { method: 'GET', credentials: 'same-origin', signal: options.signal ?? null })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new NetworkError(cause)
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (error.status === 401 && !options.expectUnauthorized) {
      unauthorizedListeners.forEach((listener) => listener())
    }
    throw error
  }
  return await response.blob()
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfterHeader = response.headers.get('retry-after')
  const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null
  let code = `http_${response.status}`
  let message = response.statusText
  try {
    const parsed = (await response.json()) as Partial<ErrorBody>
    if (parsed.error) {
      code = parsed.error.code
      message = parsed.error.message
    }
  } catch {
    // not JSON (e.g. a proxy's error page): keep the status text
  }
  return new ApiError(response.status, code, message, retryAfter)
}

/** The largest page a list route serves. */
const PAGE_LIMIT = 200

/**
 * Every item of a list route: every list answers `{items, total, offset, limit}` for
 * `?offset=&limit=`, so this asks page after page until it has `total` items.
 */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = []
  const separator = path.includes('?') ? '&' : '?'
  for (;;) {
    const page = await request<Page<T>>('GET', `${path}${separator}offset=${items.length}&limit=${PAGE_LIMIT}`)
    items.push(...page.items)
    if (page.items.length === 0 || items.length >= page.total) return items
  }
}
