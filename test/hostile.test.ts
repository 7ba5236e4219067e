/**
 * Hostile servers (project issue #13): streams that never finish a line or an event, and servers
 * that invite a reconnect storm. Each memory shape runs in a child process (the heap after GC,
 * sampled while megabytes pass), against the built package.
 */
import { fileURLToPath } from 'node:url'
import { EventSource, type EventSourceOptions } from 'isomorphic-eventsource'
import { Agent } from 'undici'
import { describe, expect, test } from 'vitest'
import {
  BACKOFF,
  countStorm,
  measureShape,
  memoryShapes,
  type ShapeResult,
  stormShapes,
} from './reliability/hostile.mjs'
import { ContractServer } from './transport-contract/server.js'

const DIST = fileURLToPath(new URL('../dist/node.js', import.meta.url))
const MiB = 1024 * 1024

const measure = (
  shape: string,
  options: Omit<Parameters<typeof measureShape>[1], 'dist'>,
): Promise<ShapeResult> => measureShape(shape, { dist: DIST, ...options })

describe('memory is bounded in bytes by maxBufferSize', () => {
  const LIMIT = 2 * MiB
  // What eventsource-parser keeps of each: comments are skipped, the rest is held until the
  // limit (an unknown field's line counts as a line too).
  const overflows: Record<string, boolean> = {
    'endless line': true,
    'endless data lines': true,
    'endless data lines, two-byte text': true,
    'endless empty data lines': true,
    'endless comment': false,
    'endless id': true,
    'endless field name': true,
  }

  test('every memory shape is covered', () => {
    expect(Object.keys(overflows)).toEqual(Object.keys(memoryShapes))
  })

  for (const shape of Object.keys(overflows)) {
    test(`${shape}: the heap stays within twice the limit while 24 MB pass`, async () => {
      const result = await measure(shape, { maxBufferSize: LIMIT, total: 24e6, heapLimitMb: 256 })
      expect(result.crashed).toBeUndefined()
      expect(result.growth).toBeLessThan(2 * LIMIT)
      const [outcome] = result.outcomes
      expect(outcome).toEqual(
        overflows[shape]
          ? {
              reason: 'overflow',
              message: `A line or event exceeded maxBufferSize (${LIMIT} bytes)`,
              readyState: 2,
            }
          : { reason: 'end', message: 'The stream ended', readyState: 2 },
      )
    })
  }

  test('three sources with the default limit against endless data lines fit in a 200 MB heap', async () => {
    // Before the limit counted bytes, each took ~500 MB (about 31 bytes of heap per counted
    // character) and the process died of out-of-memory before any error event.
    const result = await measure('endless data lines', {
      total: 80e6,
      sources: 3,
      heapLimitMb: 200,
    })
    expect(result.crashed).toBeUndefined()
    expect(result.outcomes.map((outcome) => outcome.reason)).toEqual([
      'overflow',
      'overflow',
      'overflow',
    ])
    expect(result.growth).toBeLessThan(3 * 2 * 16 * MiB)
  })
})

describe('no reconnect storm when backoff is asked for', () => {
  // The options, with a shorter initialDelay so a test sees several attempts: the delays
  // are 100–200, 200–400, 400–800 ms (growth from initialDelay, jitter 1), so 1.4 s holds at most
  // 4 requests. Before, the backoff multiplied the server's 0: 670–750 requests/s.
  const options = { proxy: false as const, retry: { ...BACKOFF, initialDelay: 100 } }
  const WINDOW = 1400

  test('every storm shape is backed off: at most 4 requests in 1.4 s, delays from initialDelay', async () => {
    const shapes = Object.keys(stormShapes).filter((shape) => !shape.includes('99999999999'))
    expect(shapes).toEqual([
      'retry: 0, then the end',
      '503, Retry-After: 0',
      '503, Retry-After in the past',
      'accept and drop',
    ])
    const results = await Promise.all(
      shapes.map((shape) => countStorm(EventSource, shape, options, WINDOW)),
    )
    for (const [index, { requests, delays }] of results.entries()) {
      const shape = shapes[index]
      expect(requests, shape).toBeGreaterThanOrEqual(2)
      expect(requests, shape).toBeLessThanOrEqual(4)
      // Each delay between initialDelay × 2^n and twice that (jitter 1).
      for (const [n, delay] of delays.entries()) {
        expect(delay, `${shape}, delay ${n}`).toBeGreaterThanOrEqual(100 * 2 ** n)
        expect(delay, `${shape}, delay ${n}`).toBeLessThan(200 * 2 ** n)
      }
    }
  })

  test('a Retry-After far past maxDelay waits maxDelay', async () => {
    const { requests, delays } = await countStorm(
      EventSource,
      '503, Retry-After: 99999999999',
      options,
      300,
    )
    expect([requests, delays]).toEqual([1, [30_000]])
  })

  test('with no retry options the spec holds: retry: 0 reconnects at once, as native does', async () => {
    const { requests, delays } = await countStorm(
      EventSource,
      'retry: 0, then the end',
      { proxy: false },
      300,
    )
    expect(requests).toBeGreaterThan(20)
    expect(delays.slice(0, 3)).toEqual([0, 0, 0])
  })
})

describe('a reset (RST) on a body without a length', () => {
  /** The error event a source fires when its close-delimited body is cut by an RST. */
  async function errorOn(options: EventSourceOptions) {
    const server = await ContractServer.start({
      '/start': { framing: 'close', body: ['data: 1\n\n', 50], finish: 'reset' },
    })
    try {
      const source = new EventSource(`${server.origin}/start`, { retry: false, ...options })
      const event = await new Promise<{ reason: string; message: string }>((resolve) => {
        source.onerror = resolve as never
      })
      source.close()
      return { reason: event.reason, message: event.message }
    } finally {
      await server.close()
    }
  }

  test('the default transport (node:http) reports a network error, not the end', async () => {
    expect(await errorOn({})).toEqual({
      reason: 'network',
      message: 'Network error: the connection closed before the stream ended (ECONNRESET)',
    })
  })

  test("known difference: undici's client (a dispatcher, a proxy, Node's fetch) reports the end", async () => {
    // Its HTTP/1.1 client takes the data so far as the whole response on ECONNRESET (for macOS,
    // which resets after a full body); our transport never sees the socket's error. The source
    // reconnects all the same: only the reason differs.
    const agent = new Agent()
    const end = { reason: 'end', message: 'The stream ended' }
    expect(await errorOn({ dispatcher: agent })).toEqual(end)
    expect(await errorOn({ fetch: (input, init) => fetch(input, init) })).toEqual(end)
    await agent.close()
  })
})
