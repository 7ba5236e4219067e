import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventSource } from 'isomorphic-eventsource'
import { describe, expect, test } from 'vitest'
import { FAULT_KINDS, STREAM_FAULTS } from './reliability/fault-proxy.mjs'
import { type FaultFigures, formatFigures, runFaultScenario } from './reliability/fault-run.mjs'

// A replaying server (events 1..N by id, resuming after Last-Event-ID, `retry: 1`) behind a
// fault-injecting proxy; the source under test is the build, with `retry.statuses` for the
// injected 5xx/429 and `readTimeout` for stalls. The full run is test/reliability/soak.mjs.
// FAULT_SEED replays a run (the seed is printed with the figures).
const seed = process.env['FAULT_SEED'] === undefined ? undefined : Number(process.env['FAULT_SEED'])

/** What must hold after any run: every id once, in order, intact, and the source never gave up. */
function expectExactlyOnceInOrder(figures: FaultFigures): void {
  expect({
    received: figures.received,
    lost: figures.lost,
    duplicated: figures.duplicated,
    outOfOrder: figures.outOfOrder,
    corrupted: figures.corrupted,
    fatal: figures.fatal,
    timedOut: figures.timedOut,
    serverAnomalies: figures.serverAnomalies,
  }).toEqual({
    received: figures.events,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    corrupted: 0,
    fatal: undefined,
    timedOut: false,
    serverAnomalies: [],
  })
}

describe('resumption through injected faults', () => {
  // A fault at the request (5xx, 429, redirect) comes after a reconnect: abrupt closes provide
  // the reconnects, so those faults land at random points of the stream too.
  test.each(FAULT_KINDS)(
    'through faults of one kind (%s), every id arrives once and in order',
    async (kind) => {
      const alone = (STREAM_FAULTS as readonly string[]).includes(kind)
      const figures = await runFaultScenario({
        EventSource,
        events: 300,
        faults: alone ? 5 : 10,
        kinds: alone ? [kind] : [kind, 'close'],
        timeoutMs: 8000,
        ...(seed === undefined ? {} : { seed }),
      })
      if (figures.faults < figures.faultBudget || figures.lost > 0 || figures.duplicated > 0) {
        console.log(`${kind}:\n${formatFigures(figures)}`)
      }
      expectExactlyOnceInOrder(figures)
      expect(figures.faults).toBe(figures.faultBudget)
      expect(figures.injected[kind]).toBeGreaterThan(0)
      if (kind === 'redirect') expect(figures.redirectsFollowed).toBe(figures.injected[kind])
      if (kind === 'stall') {
        expect(figures.errors['No data received for N ms'] ?? 0).toBeGreaterThanOrEqual(5)
      }
    },
  )

  test('through 100 random faults of every kind, 5,000 ids arrive exactly once and in order', async () => {
    const figures = await runFaultScenario({
      EventSource,
      events: 5000,
      faults: 100,
      timeoutMs: 25_000,
      ...(seed === undefined ? {} : { seed }),
    })
    console.log(formatFigures(figures))
    expectExactlyOnceInOrder(figures)
    expect(figures.faults).toBe(100)
    for (const kind of FAULT_KINDS) expect(figures.injected[kind], kind).toBeGreaterThan(0)
    expect(figures.redirectsFollowed).toBe(figures.injected['redirect'])
    // Every fault but a drip (the connection goes on) and a redirect (followed) costs a reconnect.
    const dropping = figures.faults - (figures.injected['drip'] ?? 0) - figures.redirectsFollowed
    expect(figures.reconnects).toBeGreaterThanOrEqual(dropping)
  }, 30_000)
})

describe('the read timeout and a blocked event loop', () => {
  test('bytes that arrived while the event loop was blocked keep the connection alive', async () => {
    // A stream with a heartbeat every 50 ms and a 200 ms read timeout. Once, the server writes an
    // event and then this process is busy for 600 ms (as a long GC or synchronous work would make
    // it): the event waits, unread, in the socket. When the loop runs again its timers come
    // before I/O, and the read timer must not conclude on its own that nothing arrived.
    let requests = 0
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' }).write('data: 1\n\n')
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 50)
      res.on('close', () => clearInterval(heartbeat))
      if (++requests > 1) return
      setTimeout(
        () =>
          setImmediate(() => {
            res.write('data: 2\n\n')
            const until = performance.now() + 600
            while (performance.now() < until) {
              // blocked
            }
          }),
        100,
      )
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const source = new EventSource(url, {
      proxy: false,
      readTimeout: 200,
      retry: { initialDelay: 1 },
    })
    const seen: string[] = []
    try {
      source.onopen = () => seen.push('open')
      source.onmessage = (event) => seen.push(`message ${event.data}`)
      source.addEventListener('error', (event) => seen.push(`error: ${event.message}`))
      for (let i = 0; i < 100 && !seen.includes('message 2') && seen.length < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      // Heartbeats go on: more than one read-timeout period without any error.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(seen).toEqual(['open', 'message 1', 'message 2'])
    } finally {
      source.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
