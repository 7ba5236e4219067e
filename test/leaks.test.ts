import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// The children import dist/node.js by file URL: run `npm run build` first (npm test does).
const LEAK_CHILD = fileURLToPath(new URL('./reliability/leak-child.mjs', import.meta.url))
const EXIT_CHILD = fileURLToPath(new URL('./reliability/exit-child.mjs', import.meta.url))

const CYCLES = 10_000
const RECONNECTS = 10_000
/** Heap growth (after GC) allowed over the 20,000 operations: 2 MB, i.e. ~100 bytes each. */
const HEAP_GROWTH_LIMIT = 2 * 1024 * 1024
/**
 * The goal is 100 ms from close() to exit. Measured (parent side, so with the pipe and the
 * parent's event loop in between) it is 5–40 ms with --liftoff-only; the assertions leave room
 * for a loaded 2-core machine and for V8's compile drain with default flags (see MODES).
 */
const EXIT_TARGET_MS = 100
const EXIT_LIMIT_MS = 500
const EXIT_LIMIT_DEFAULT_FLAGS_MS = 2000

/**
 * The parent's loopback server (the children must hold nothing but their sources):
 * /open   a stream that stays open after a comment
 * /end    `retry: 0`, then the end of the stream (an immediate reconnect)
 * /hold   never answers (the source stays CONNECTING)
 * /burst  many events in one write, then stays open
 * /wait   `retry: 60000`, one event, end (the source waits a minute to reconnect)
 * /one    one event, then stays open
 */
let server: http.Server
let origin = ''
const sockets = new Set<Socket>()
const held: number[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    if (path === '/hold') {
      held.push(performance.now())
      return
    }
    const sse = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' }
    if (path === '/open') res.writeHead(200, sse).write(': open\n\n')
    else if (path === '/end') res.writeHead(200, sse).end('retry: 0\n\n')
    else if (path === '/burst') {
      let events = ''
      for (let i = 1; i <= 100; i++) events += `data: ${i}\n\n`
      res.writeHead(200, sse).write(events)
    } else if (path === '/wait') res.writeHead(200, sse).end('retry: 60000\ndata: x\n\n')
    else if (path === '/one') res.writeHead(200, sse).write('data: one\n\n')
    else res.writeHead(404).end()
  })
  server.keepAliveTimeout = 5000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server.close(resolve))
})

interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  lines: string[]
  stderr: string
  /** From the `closed` line reaching the parent to the child's 'exit' event. */
  closedToExitMs: number | undefined
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs a child to its exit, killing it (and failing) after `limitMs`. */
async function runChild(args: string[], limitMs: number): Promise<ChildRun> {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  const child: ChildProcess = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let stderr = ''
  let pending = ''
  let closedAt: number | undefined
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (text: string) => {
    pending += text
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end)
      pending = pending.slice(end + 1)
      if (line.startsWith('closed') && closedAt === undefined) closedAt = performance.now()
      lines.push(line)
    }
  })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (text: string) => {
    stderr += text
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  const exitedAt = performance.now()
  clearTimeout(killer)
  // Let the rest of stdout (the child's last words) arrive.
  if (child.stdout !== null && !child.stdout.readableEnded) await once(child.stdout, 'end')
  if (pending !== '') lines.push(pending)
  const closedToExitMs = closedAt === undefined ? undefined : exitedAt - closedAt
  return { code, signal, lines, stderr, closedToExitMs }
}

describe('no leaks', () => {
  test('10,000 open/close cycles and 10,000 reconnects leave the heap and the active resources where they were', async () => {
    // 500 of each first (JIT, undici's pool), then the measured 20,000, 16 sources side by side.
    const run = await runChild(
      ['--expose-gc', LEAK_CHILD, origin, String(CYCLES), String(RECONNECTS), '500', '16'],
      100_000,
    )
    const reports = run.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    const start = reports.find((r) => r['kind'] === 'start')
    const end = reports.find((r) => r['kind'] === 'end')
    expect(
      reports.filter((r) => r['kind'] === 'error'),
      run.stderr,
    ).toEqual([])
    expect(run.code).toBe(0)
    if (start === undefined || end === undefined) throw new Error(`no figures: ${run.lines}`)
    const growth = (end['heap'] as number) - (start['heap'] as number)
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`
    console.log(
      [
        `leaks: heap after GC ${mb(start['heap'] as number)} → ${mb(end['heap'] as number)} (${growth >= 0 ? '+' : ''}${mb(growth)}; limit +${mb(HEAP_GROWTH_LIMIT)})`,
        `${end['cycles']} open/close cycles (${end['lanes']} sources at a time) in ${(end['cyclesSeconds'] as number).toFixed(1)} s, ${end['reconnects']} reconnects (${end['reconnectOpens']} opens) in ${(end['reconnectsSeconds'] as number).toFixed(1)} s`,
        `active resources ${JSON.stringify(start['resources'])} → ${JSON.stringify(end['resources'])}`,
      ].join('\n'),
    )
    expect(end['reconnects']).toBe(RECONNECTS)
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT)
    // Nothing may be left holding the loop: no timer, no socket. An idle keep-alive socket that
    // undici keeps in its pool is unref'd, so getActiveResourcesInfo() does not list it.
    const before = start['resources'] as Record<string, number>
    const after = end['resources'] as Record<string, number>
    for (const [type, count] of Object.entries(after)) {
      expect(
        count,
        `${type}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
      ).toBeLessThanOrEqual(before[type] ?? 0)
    }
  }, 110_000)
})

describe('after close() of the last source, the process exits on its own', () => {
  const STATES = [
    'connecting',
    'open-mid-chunk',
    'waiting-to-reconnect',
    'onopen',
    'onmessage',
    'onerror',
    'read-timeout-armed',
  ] as const
  // When undici is loaded (a dispatcher or proxy; not in these children, which use node:http),
  // V8 finishes compiling its llhttp WebAssembly (the optimizing tier) in the background before
  // a young process may exit, ~100 ms whatever the library does: the default-flags limit allows
  // for it. --liftoff-only (baseline WebAssembly only) leaves just what the process holds.
  const MODES = {
    default: { flags: [] as string[], limit: EXIT_LIMIT_DEFAULT_FLAGS_MS },
    'liftoff-only': { flags: ['--liftoff-only'], limit: EXIT_LIMIT_MS },
  }
  const measured: Record<string, Record<string, number>> = { default: {}, 'liftoff-only': {} }

  afterAll(() => {
    const lines = Object.entries(measured).map(
      ([mode, byState]) =>
        `  ${mode}: ${Object.entries(byState)
          .map(([state, ms]) => `${state} ${ms.toFixed(0)} ms`)
          .join(', ')}`,
    )
    console.log(
      `exit after close(), 'closed' line to 'exit' event (target ${EXIT_TARGET_MS} ms):\n${lines.join('\n')}`,
    )
  })

  const cases = STATES.flatMap((state) =>
    Object.keys(MODES).map((mode) => [state, mode as keyof typeof MODES] as const),
  )
  test.each(cases)('closed in state %s (%s flags)', async (state, mode) => {
    const { flags, limit } = MODES[mode]
    const holdsBefore = held.length
    const run = await runChild([...flags, EXIT_CHILD, state, origin], 10_000)
    expect(run.stderr).toBe('')
    expect(run.signal).toBeNull()
    expect(run.code).toBe(0)
    expect(run.lines[0]).toBe('closed 2')
    expect(run.closedToExitMs).toBeDefined()
    const ms = run.closedToExitMs ?? Number.POSITIVE_INFINITY
    measured[mode] = { ...measured[mode], [state]: ms }
    expect(ms, `exit took ${ms.toFixed(0)} ms`).toBeLessThan(limit)
    if (state === 'connecting') {
      // The request reached the server before close(): poll a little, it is this loop's work.
      for (let i = 0; i < 50 && held.length === holdsBefore; i++) await delay(10)
      expect(held.length).toBe(holdsBefore + 1)
    }
    // No event after close(), not even the rest of the chunk being parsed.
    if (state === 'open-mid-chunk' || state === 'onmessage') {
      expect(run.lines.at(-1)).toBe('messages 1 (closed after 1)')
    }
  })
})
