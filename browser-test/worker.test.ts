/**
 * The ESM build in a dedicated module Web Worker (no document, no window), in Chromium: it imports
 * `dist/index.js` as served, streams across a reconnect with `Last-Event-ID`, and resolves a
 * relative URL against the worker's own location.
 */
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from '../test/fixture-server.js'
import { launchChromium } from './chromium.js'

/**
 * The worker: on a message `{ url, count }` it opens our EventSource on `url`, logs readyState
 * at each step, and after `count` messages closes it and posts back what it saw.
 */
const workerSource = `
import { EventSource } from '/dist/index.js'

self.onmessage = ({ data: { url, count } }) => {
  const scope = {
    document: typeof document,
    window: typeof window,
    location: self.location.href,
    isomorphic: EventSource.isomorphic === true,
  }
  const log = []
  let received = 0
  const source = new EventSource(url)
  const finish = (outcome) => {
    clearTimeout(timer)
    source.close()
    log.push('closed ' + source.readyState)
    self.postMessage({ outcome, scope, url: source.url, lastEventId: source.lastEventId, log })
  }
  const timer = setTimeout(() => finish('timed out'), 10000)
  log.push('constructed ' + source.readyState)
  source.onopen = () => log.push('open ' + source.readyState)
  source.onerror = () => log.push('error ' + source.readyState)
  source.onmessage = (event) => {
    log.push('message ' + event.data + ' id=' + event.lastEventId + ' origin=' + event.origin)
    if (++received === count) finish('done')
  }
}
`

interface WorkerReport {
  outcome: string
  scope: { document: string; window: string; location: string; isomorphic: boolean }
  url: string
  lastEventId: string
  log: string[]
}

let server: FixtureServer
let browser: Browser
let page: Page
/** Where the worker is served: beside the streams, so a bare relative name reaches one. */
let workerUrl: string

beforeAll(async () => {
  server = await FixtureServer.start()
  const build = readFileSync(new URL('../dist/index.js', import.meta.url))
  server.serve('/dist/index.js', 'text/javascript', build)
  workerUrl = server.serve('/sse/worker/worker.js', 'text/javascript', workerSource)
  server.serve(
    '/page/index.html',
    'text/html',
    '<!doctype html><meta charset="utf-8"><title>worker</title>',
  )
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`${server.origin}/page/index.html`)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** Starts a module worker in the page, asks it to read `count` messages from `url`. */
function inWorker(url: string, count: number): Promise<WorkerReport> {
  return page.evaluate(
    ([script, streamUrl, messages]) =>
      new Promise<WorkerReport>((resolve, reject) => {
        const worker = new Worker(script, { type: 'module' })
        worker.onmessage = (event: MessageEvent<WorkerReport>) => {
          worker.terminate()
          resolve(event.data)
        }
        worker.onerror = (event) => {
          event.preventDefault()
          reject(new Error(`the worker failed: ${event.message || 'could not load'}`))
        }
        worker.postMessage({ url: streamUrl, count: messages })
      }),
    [workerUrl, url, count] as const,
  )
}

describe('Chromium, a dedicated module worker', () => {
  test('imports the ESM build and receives two events across a reconnect, resuming with Last-Event-ID', async () => {
    const route = server.route(
      (_request, attempt) =>
        attempt === 0
          ? { body: ['retry: 10\nid: 1\ndata: first\n\n'] }
          : { body: ['id: 2\ndata: second\n\n'], finish: 'hang' },
      'worker',
    )
    const report = await inWorker(route.url, 2)
    const origin = server.origin
    expect(report).toEqual({
      outcome: 'done',
      scope: { document: 'undefined', window: 'undefined', location: workerUrl, isomorphic: true },
      url: route.url,
      lastEventId: '2',
      log: [
        'constructed 0',
        'open 1',
        `message first id=1 origin=${origin}`,
        'error 0',
        'open 1',
        `message second id=2 origin=${origin}`,
        'closed 2',
      ],
    })
    expect(route.requests.map((request) => request.lastEventId)).toEqual([undefined, '1'])
    expect(route.requests.map((request) => request.headers['accept'])).toEqual([
      'text/event-stream',
      'text/event-stream',
    ])
    const [first, second] = route.requests
    // `retry: 10` was honoured: far sooner than the default 3 s.
    expect((second?.at ?? Number.POSITIVE_INFINITY) - (first?.at ?? 0)).toBeLessThan(2000)
  })

  test("resolves a relative URL against the worker's location, not the page's", async () => {
    const route = server.route(
      () => ({ body: ['id: 9\ndata: relative\n\n'], finish: 'hang' }),
      'worker',
    )
    // The worker lives at /sse/worker/worker.js and the stream at /sse/worker/N: against the
    // worker's location the bare "N" reaches it; against the page's (/page/) it would be a 404.
    const relative = route.path.split('/').at(-1) ?? ''
    expect(new URL(relative, workerUrl).href).toBe(route.url)
    const report = await inWorker(relative, 1)
    expect(report.outcome).toBe('done')
    expect(report.url).toBe(route.url)
    expect(report.log).toEqual([
      'constructed 0',
      'open 1',
      `message relative id=9 origin=${server.origin}`,
      'closed 2',
    ])
    expect(route.requests).toHaveLength(1)
  })
})
