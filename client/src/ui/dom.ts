// A minimal element builder; screens are plain DOM, no framework.

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>
type Child = Node | string | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, '').toLowerCase(), value)
    } else if (value === true) {
      el.setAttribute(name, '')
    } else {
      el.setAttribute(name, String(value))
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    el.append(child)
  }
  return el
}

export function clear(el: Element): void {
  el.replaceChildren()
}
