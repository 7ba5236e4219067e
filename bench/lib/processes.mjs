/**
 * Child processes of a run: the server and one measuring process per measurement. Every child
 * is tracked until it exits, and `stopAll()` (called on exit, on Ctrl-C and on errors) kills the
 * ones still alive, by their own pid: a crashed run leaves nothing behind.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const serverScript = fileURLToPath(new URL('../server.mjs', import.meta.url))
const measureScript = fileURLToPath(new URL('../measure.mjs', import.meta.url))

/** Children still running, each with the way to kill it. */
const live = new Map()
/** Synchronous clean-ups to run on exit (temporary directories). */
const cleanups = new Set()

function track(child, kill = () => child.kill('SIGKILL')) {
  live.set(child, kill)
  child.once('exit', () => live.delete(child))
  return child
}

/**
 * Tracks a child spawned with `detached: true` (Chromium): it leads its own process group, and
 * killing the group also reaches the helper processes it started.
 */
export function trackGroup(child) {
  return track(child, () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
  })
}

/** Registers a synchronous clean-up for exit and Ctrl-C; returns its removal. */
export function onCleanup(cleanup) {
  cleanups.add(cleanup)
  return () => cleanups.delete(cleanup)
}

/** Kills every child still running (SIGKILL: a stuck client must not delay the cleanup). */
export function stopAll() {
  for (const kill of live.values()) kill()
  live.clear()
  for (const cleanup of cleanups) {
    try {
      cleanup()
    } catch {}
  }
  cleanups.clear()
}

let hooked = false
/** Installs the cleanup on process exit and on SIGINT/SIGTERM, once. */
export function installCleanup() {
  if (hooked) return
  hooked = true
  process.once('exit', stopAll)
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopAll()
      process.exit(130)
    })
  }
}

/**
 * Starts the SSE server in its own process; resolves `{ origin, stop(), onMessage(fn) }` once it
 * listens. `stop()` kills it and resolves when it has exited. With `tls`, it is the HTTPS server
 * (HTTP/2 and HTTP/1.1), and `ca` is its certificate.
 */
export function startServer({ timeoutMs = 10_000, tls = false } = {}) {
  const child = track(
    fork(serverScript, tls ? ['--tls'] : [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  )
  const listeners = new Set()
  child.on('message', (message) => {
    for (const listener of listeners) listener(message)
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('the benchmark server did not start'))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the benchmark server exited early (code ${code})`))
    })
    const onListening = (message) => {
      if (message?.type !== 'listening') return
      clearTimeout(timer)
      listeners.delete(onListening)
      resolve({
        origin: `${tls ? 'https' : 'http'}://127.0.0.1:${message.port}`,
        ca: message.ca,
        onMessage: (listener) => {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGKILL')
          }),
      })
    }
    listeners.add(onListening)
  })
}

/**
 * Runs one measurement in a fresh process and resolves its message: `{ result }`, `{ error }` or
 * `{ unsupported }`. Never rejects: a crash or a timeout becomes `{ error }` with the last lines
 * of the child's stderr, so one broken client does not stop the run.
 */
export function measure(params, { timeoutMs = 60_000, execArgv = ['--expose-gc'] } = {}) {
  const child = track(
    fork(measureScript, [JSON.stringify({ ...params, timeoutMs: timeoutMs - 5000 })], {
      execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000)
  })
  return new Promise((resolve) => {
    let message
    const timer = setTimeout(() => {
      message ??= { error: `killed after ${timeoutMs} ms` }
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('message', (received) => {
      message ??= received
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const tail = stderr.trim().split('\n').slice(-3).join(' | ')
      resolve(message ?? { error: `exited (${signal ?? code}) without a result: ${tail}` })
    })
  })
}
