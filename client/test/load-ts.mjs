// Loads a dependency-free TypeScript module of src/ in Node (type-only imports are fine): Vite's
// own transformer strips the types, the result is imported from a data: URL.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transformWithOxc } from 'vite'

export async function loadTs(relativePath) {
  const file = fileURLToPath(new URL(`../${relativePath}`, import.meta.url))
  const source = await readFile(file, 'utf8')
  const { code } = await transformWithOxc(source, file, { lang: 'ts' })
  if (/^\s*import\s(?!type\b)/m.test(code)) throw new Error(`${relativePath} has runtime imports; loadTs cannot load it`)
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)
}
