// WCAG 2.1 A/AA checks with axe-core injected into the page; serious and critical violations fail.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export async function checkAccessibility(page, label) {
  // evaluated through the DevTools protocol, which the page's Content-Security-Policy allows
  // (a <script> tag with the source would be refused)
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const outcome = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    })
    return outcome.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }))
  })
  const blocking = result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
  const minor = result.length - blocking.length
  console.log(`  axe ${label}: ${blocking.length} serious/critical, ${minor} minor/moderate violation(s)`)
  for (const violation of result) console.log(`    [${violation.impact}] ${violation.id}: ${violation.help} → ${violation.targets.join(', ')}`)
  assert.deepEqual(blocking, [], `axe: serious/critical WCAG violations on ${label}`)
}
