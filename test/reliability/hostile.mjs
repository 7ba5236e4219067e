// Hostile servers, as shapes a test or bench/hostile.mjs can run: streams that never finish a
// line or an event (memory), and servers that make clients reconnect as fast as they can
// (storms). Plain ESM, so the benchmark runs it without a build step.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./hostile-child.mjs', import.meta.url))
const CHUNK = 64 * 1024

/**
 * Streams that never finish what they start, each as (prefix, then a unit repeated forever).
 * What eventsource-parser keeps of them differs: one line in pieces, a growing `data` string
 * (rope), nothing (comments and unknown fields are skipped).
 */
export const memoryShapes = {
  'endless line': ['data: ', 'x'],
  'endless data lines': ['', 'data: x\n'],
  'endless data lines, two-byte text': ['', 'data: €\n'],
  'endless empty data lines': ['', 'data\n'],
  'endless comment': [': ', 'x'],
  'endless id': ['id: ', 'x'],
  'endless field name': ['', 'x'],
}

/** Complete events as fast as the socket takes them, for a `for await` loop that is slow. */
export const FLOOD = 'a flood of events, a slow for-await loop'
const floodShape = ['', 'data: x\n\n']

/**
 * Serves one memory shape (or {@link FLOOD}) at `/`: `total` bytes in 64 KiB writes, as fast as the client reads or
 * `pace` ms apart, then the end.
 */
export async function startShapeServer(shape, total, pace = 0) {
  const [prefix, unit] = shape === FLOOD ? floodShape : memoryShapes[shape]
  const block = Buffer.from(unit.repeat(Math.ceil(CHUNK / unit.length)))
  const server = http.createServer(async (_request, response) => {
    // Any origin may read it: the browser tests' pages are served from another port.
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Access-Control-Allow-Origin': '*',
    })
    response.on('error', () => undefined)
    let sent = prefix.length
    response.write(prefix)
    while (sent < total && !response.destroyed) {
      sent += block.length
      if (!response.write(block)) await once(response, 'drain').catch(() => undefined)
      if (pace > 0) await new Promise((resolve) => setTimeout(resolve, pace))
    }
    response.end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/**
 * Runs one memory shape against a client in a child process (so the server's own buffers do
 * not count) and resolves with what the child measured: the peak live heap above the baseline
 * (after GC, sampled every `sampleMs` and at each `error` event), and how each source's stream
 * ended (`outcomes`); `{ crashed: true, … }` when the child died (out of memory). For
 * {@link FLOOD}, a `for await` loop takes one event per 100 ms, and the child reports how many
 * events were waiting for it (`waiting`) when the source closed, or after 5 s.
 *
 * @param options - `dist` (the build to load, a file path), `maxBufferSize` (undefined for the
 *   default), `total` bytes to send to each source, `sources` (1 by default), `heapLimitMb` for
 *   the child (`--max-old-space-size`), `sampleMs`.
 */
export async function measureShape(shape, options) {
  const server = await startShapeServer(shape, options.total)
  try {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${options.heapLimitMb ?? 1024}`,
        CHILD,
        options.dist,
        server.url,
        String(options.maxBufferSize ?? ''),
        String(options.sampleMs ?? 10),
        String(options.sources ?? 1),
        shape === FLOOD ? 'slow loop' : '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const [code, signal] = await once(child, 'exit')
    const line = stdout.trim().split('\n').pop() ?? ''
    if (code !== 0 || line === '') {
      return { crashed: true, code, signal, stderr: stderr.slice(-500) }
    }
    return JSON.parse(line)
  } finally {
    await server.close()
  }
}

/**
 * Servers that invite a reconnect storm, each as a request handler. `retry: 0` then the end of
 * the stream; 503 with `Retry-After: 0`, or an HTTP date in the past; 200 then an immediate end
 * (accept and drop); and a `Retry-After` of three thousand years.
 */
export const stormShapes = {
  'retry: 0, then the end': (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream' }).end('retry: 0\n\n')
  },
  '503, Retry-After: 0': (_request, response) => {
    response.writeHead(503, { 'Retry-After': '0', Connection: 'close' }).end()
  },
  '503, Retry-After in the past': (_request, response) => {
    response.writeHead(503, { 'Retry-After': 'Thu, 01 Jan 1970 00:00:00 GMT' }).end()
  },
  'accept and drop': (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream' }).end()
  },
  '503, Retry-After: 99999999999': (_request, response) => {
    response.writeHead(503, { 'Retry-After': '99999999999' }).end()
  },
}

/** The backoff options of the probe: growth, a reset window, a cap, jitter. */
export const BACKOFF = {
  factor: 2,
  resetAfter: 30_000,
  maxDelay: 30_000,
  jitter: 1,
  statuses: [503],
}

/**
 * Counts the requests one source makes against a storm shape in `ms` milliseconds, in this
 * process. Resolves with `{ requests, perSecond, delays }` (`delays`: what the error events said).
 */
export async function countStorm(EventSource, shape, options, ms) {
  let requests = 0
  const server = http.createServer((request, response) => {
    requests++
    stormShapes[shape](request, response)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const source = new EventSource(`http://127.0.0.1:${server.address().port}/`, options)
  const delays = []
  source.addEventListener('error', (event) => {
    if (delays.length < 8) delays.push(event.delay)
  })
  await new Promise((resolve) => setTimeout(resolve, ms))
  source.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  return { requests, perSecond: Math.round((requests * 10_000) / ms) / 10, delays }
}
