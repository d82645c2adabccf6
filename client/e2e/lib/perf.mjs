// Typing latency in the page: for each keystroke, from the keydown event's timestamp to
// (a) the first DOM mutation of the editor after it — observed after ProseMirror's own observer,
//     so the transaction and the Yjs update have run — and (b) the next frame: a rAF callback
//     followed by a message-channel task, i.e. the moment the frame with the character is done.
export async function installLatencyProbe(page, selector) {
  await page.evaluate((editorSelector) => {
    const editor = document.querySelector(editorSelector)
    const samples = []
    let start = null
    editor.addEventListener('keydown', (event) => { start = event.timeStamp }, { capture: true })
    new MutationObserver(() => {
      if (start === null) return
      const t0 = start
      const dom = performance.now() - t0
      start = null
      requestAnimationFrame(() => {
        const channel = new MessageChannel()
        channel.port1.onmessage = () => samples.push({ dom, frame: performance.now() - t0 })
        channel.port2.postMessage(null)
      })
    }).observe(editor, { subtree: true, childList: true, characterData: true })
    window.__polderLatency = samples
  }, selector)
}

export async function typeAndMeasure(page, text) {
  for (let i = 0; i < text.length; i++) {
    await page.keyboard.press(text[i] === ' ' ? 'Space' : text[i])
    await page.waitForFunction((n) => window.__polderLatency.length >= n, i + 1, { timeout: 10_000 })
  }
  return page.evaluate(() => window.__polderLatency.slice())
}

export function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  const round = (v) => Math.round(v * 10) / 10
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]), min: round(sorted[0]) }
}
