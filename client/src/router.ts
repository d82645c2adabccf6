// A small history router: path patterns → screens. Same-origin links with `data-link` are
// handled without reloading; the server falls back to index.html for unknown paths.

export interface Screen {
  /** Text for <title> and the screen's heading, in the current language. */
  title(): string
  mount(main: HTMLElement): void | Promise<void>
  destroy?(): void
}

export interface Route {
  pattern: RegExp
  /** Whether the screen needs a signed-in user. */
  auth: boolean
  create(params: string[], query: URLSearchParams): Screen
}

export function matchRoute(routes: Route[], pathname: string): { route: Route; params: string[] } | null {
  for (const route of routes) {
    const match = route.pattern.exec(pathname)
    if (match) return { route, params: match.slice(1).map((part) => decodeURIComponent(part)) }
  }
  return null
}

export function interceptLinks(root: HTMLElement, navigate: (path: string) => void): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const anchor = (event.target as Element | null)?.closest?.('a[data-link]')
    if (!(anchor instanceof HTMLAnchorElement) || anchor.origin !== location.origin) return
    event.preventDefault()
    navigate(anchor.pathname + anchor.search + anchor.hash)
  })
}
