/**
 * Child processes for the packaging and runtime tests (test/package.test.ts,
 * test/runtimes.test.ts). Always asynchronous: the loopback servers those children connect to run
 * in the test's own process, so a synchronous spawn would deadlock.
 */
import { spawn } from 'node:child_process'

export interface RunResult {
  /** The exit code; null when a signal ended the process (after a timeout, say). */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Whether the process was killed for running longer than `timeout`. */
  readonly timedOut: boolean
  readonly ms: number
}

export interface RunOptions {
  cwd?: string
  /** Milliseconds before the process is killed (SIGKILL). @defaultValue 60 000 */
  timeout?: number
  env?: Record<string, string | undefined>
}

/** Runs a command to its end; never rejects for a failing command (look at `code`). */
export function run(command: string, args: readonly string[], options: RunOptions = {}) {
  const started = Date.now()
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeout ?? 60_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started })
    })
  })
}

/**
 * The environment without what `npm test` adds for its scripts (`npm_config_local_prefix`,
 * `npm_package_*`, …), which would point a nested npm at this repository; the npm settings a
 * user chose (cache, registry, user config) stay. Colours off, so output parses.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])
  const env: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.toLowerCase().startsWith('npm_') && !keep.has(name.toLowerCase())) continue
    if (name === 'INIT_CWD' || name === 'FORCE_COLOR') continue
    env[name] = value
  }
  return { ...env, NO_COLOR: '1', ...extra }
}

/** The last line of `stdout` parsed as JSON: what the fixture scripts print. */
export function lastJsonLine(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(line)
}
