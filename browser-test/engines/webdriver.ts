/**
 * Classic WebDriver engines (WebKitGTK, WPE WebKit): the driver binary runs detached in its own
 * process group, webdriverio talks to it, and closing kills the whole group (driver, browser,
 * and Xvfb when the driver runs under xvfb-run).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { basename, delimiter, join } from 'node:path'
import { remote } from 'webdriverio'
import type { EngineSession, Tab } from './types.js'

/** The absolute path of `command` on PATH (or `command` itself when it is a path), or undefined. */
export function which(command: string): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, command))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Driver process groups still alive, killed if the test process exits without closing them.
const groups = new Set<number>()
process.once('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {}
  }
})

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {}
}

/** Processes in `pid` itself or among its children whose name is `name` (Linux /proc). */
function findProcesses(pid: number, name: string): number[] {
  const found: number[] = []
  let entries: string[] = []
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return found
  }
  for (const entry of entries) {
    try {
      // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split at the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (comm === name.slice(0, 15) && (Number(entry) === pid || ppid === pid)) {
        found.push(Number(entry))
      }
    } catch {}
  }
  return found
}

/** `newTab()` where the browser has one view only (cog, WPE's browser). */
export class TabsUnsupported extends Error {
  override name = 'TabsUnsupported'
}

export interface WebDriverLaunch {
  /** The command line: the driver, possibly behind a wrapper such as `xvfb-run -a`. */
  readonly command: readonly string[]
  /** The driver's executable name (stopped first, so that a wrapper can clean up). */
  readonly driver: string
  readonly capabilities: WebdriverIO.Capabilities
  /** Prefix for the reported version ("WebKitGTK", "WPE WebKit"). */
  readonly label: string
}

/** Starts the driver, opens a session, and returns the page behind the common interface. */
export async function launchWebDriver(options: WebDriverLaunch): Promise<EngineSession> {
  const port = await freePort()
  const [file, ...args] = options.command
  if (file === undefined) throw new Error('no driver command')
  const child = spawn(file, [...args, `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (child.pid !== undefined) groups.add(child.pid)
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000)
  })
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
    child.once('error', (error) => {
      log += `\n${String(error)}`
      exited = true
      resolve()
    })
  })

  // The driver first: a wrapper (xvfb-run) then sees its command end and cleans up after itself
  // (stops Xvfb, removes its temporary directory), which it skips when killed by a signal.
  // Whatever is left of the group after that is killed.
  const driverName = basename(options.driver)
  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) {
      for (const pid of findProcesses(child.pid, driverName)) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {}
      }
      await Promise.race([exit, sleep(3000)])
      if (!exited) killGroup(child, 'SIGTERM')
      await Promise.race([exit, sleep(2000)])
      if (!exited) killGroup(child, 'SIGKILL')
    }
    if (child.pid !== undefined) groups.delete(child.pid)
  }

  try {
    // The driver answers GET /status once it listens.
    const deadline = Date.now() + 20_000
    for (;;) {
      if (exited) throw new Error(`${options.command.join(' ')} exited early:\n${log}`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}/status`)
        if (response.ok) break
      } catch {}
      if (Date.now() > deadline) throw new Error(`no driver on port ${port} after 20 s:\n${log}`)
      await sleep(100)
    }
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      logLevel: 'error',
      connectionRetryCount: 0,
      connectionRetryTimeout: 60_000,
      capabilities: { ...options.capabilities, 'wdio:enforceWebDriverClassic': true },
    })
    const reported = browser.capabilities.browserVersion
    let closed = false
    // Classic WebDriver talks to one window at a time: every command on a tab switches to its
    // window first, so commands run one after another.
    let queue: Promise<unknown> = Promise.resolve()
    const serially = <T>(work: () => Promise<T>): Promise<T> => {
      const run = queue.then(work, work)
      queue = run.catch(() => {})
      return run
    }
    const original = await browser.getWindowHandle()
    const handles = new Set<string>()
    let current = original
    const inWindow = async (handle: string) => {
      if (current !== handle) await browser.switchToWindow(handle)
      current = handle
    }
    return {
      version: `${options.label} ${reported ?? '(unknown version)'}`,
      goto: (url) =>
        serially(async () => {
          await inWindow(original)
          await browser.url(url)
        }),
      // `execute` with a string runs it as a function body.
      evaluate: (expression) =>
        serially(async () => {
          await inWindow(original)
          return (await browser.execute(`return (${expression})`)) as string
        }),
      async newTab(url): Promise<Tab> {
        // WebDriver's New Window, then a navigation in it (webdriverio's newWindow() leaves a
        // WebKitGTK window at about:blank).
        const handle = await serially(async () => {
          const opened = await browser.createWindow('tab')
          if (opened.handle === original || handles.has(opened.handle)) {
            throw new TabsUnsupported(
              `${options.label} gave no new window (the same handle again): its browser shows one view`,
            )
          }
          handles.add(opened.handle)
          await inWindow(opened.handle)
          await browser.url(url)
          return opened.handle
        })
        return {
          evaluate: (expression) =>
            serially(async () => {
              await inWindow(handle)
              return (await browser.execute(`return (${expression})`)) as string
            }),
          goto: (next) =>
            serially(async () => {
              await inWindow(handle)
              await browser.url(next)
            }),
          close: () =>
            serially(async () => {
              await inWindow(handle)
              await browser.closeWindow()
              handles.delete(handle)
              await browser.switchToWindow(original)
              current = original
            }),
          crash: undefined,
        }
      },
      async close() {
        if (closed) return
        closed = true
        try {
          await Promise.race([browser.deleteSession(), sleep(5000)])
        } finally {
          await stop()
        }
      },
    }
  } catch (error) {
    await stop()
    throw error
  }
}
