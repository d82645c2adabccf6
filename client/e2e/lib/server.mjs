// Starts Polder server processes for the e2e run: a temp data dir with people and grants made
// through the `polder` CLI, a free port, the built client as static dir.
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const clientDir = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const repoDir = resolve(clientDir, '..')
export const polderBin = process.env.POLDER_BIN ?? join(repoDir, 'target', 'debug', 'polder')
export const staticDir = join(clientDir, 'dist')

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

export async function makeDataDir() {
  return mkdtemp(join(tmpdir(), 'polder-e2e-'))
}

export async function removeDataDir(dir) {
  await rm(dir, { recursive: true, force: true })
}

async function polder(dataDir, args, env = {}) {
  await run(polderBin, [...args, '--data-dir', dataDir], { env: { ...process.env, ...env } })
}

export async function createUser(dataDir, { email, name, password, party }) {
  const args = ['user', 'create', '--email', email, '--name', name, ...(party ? ['--party', party] : [])]
  await polder(dataDir, args, { POLDER_PASSWORD: password })
}

/** Loads the demo working group ("Werkgroep Beter pakketbeheer") into the still-empty database. */
export async function loadDemo(dataDir) {
  await polder(dataDir, ['demo'])
}

export async function grant(dataDir, { doc, email, role }) {
  await polder(dataDir, ['doc', 'grant', '--doc', doc, '--user', email, '--role', role])
}

/**
 * Starts `polder serve`; resolves when /readyz answers 200. With `builtIn`, no `--static-dir`:
 * the server serves the client it was built with. `env` are more environment variables for it
 * (`POLDER_PUBLIC_URL`, …).
 */
export async function startServer({ dataDir, port, builtIn = false, env = {} }) {
  const base = `http://127.0.0.1:${port}`
  const child = spawn(
    polderBin,
    ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, ...(builtIn ? [] : ['--static-dir', staticDir])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env } },
  )
  const log = []
  child.stdout.on('data', (chunk) => log.push(chunk.toString()))
  child.stderr.on('data', (chunk) => log.push(chunk.toString()))
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })))
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      const response = await fetch(`${base}/readyz`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`polder serve did not become ready:\n${log.join('')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    base,
    port,
    log,
    /** Graceful stop (SIGTERM), waits for the process to exit. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const result = await exited
      clearTimeout(timer)
      return result
    },
  }
}
