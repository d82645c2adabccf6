// One polite live region for short announcements ("signed out", "offline changes merged").

let region: HTMLElement | null = null

export function mountAnnouncer(parent: HTMLElement): void {
  region = document.createElement('div')
  region.className = 'visually-hidden'
  region.setAttribute('aria-live', 'polite')
  region.setAttribute('role', 'status')
  region.id = 'announcer'
  parent.append(region)
}

export function announce(message: string): void {
  if (!region) return
  // clear first so that repeating the same message is announced again
  region.textContent = ''
  const target = region
  window.setTimeout(() => {
    target.textContent = message
  }, 50)
}
