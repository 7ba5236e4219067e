/**
 * Memory bounded in bytes in Chromium (project issue #13): the standard build (fetch streams)
 * and the `<script>` bundle in old-browser mode (XMLHttpRequest, whose `responseText` is
 * recycled past 1 MiB, but never inside an event most of it) against streams that never finish
 * an event. The page samples its own heap after GC (`--js-flags=--expose-gc`,
 * `--enable-precise-memory-info`) while megabytes pass. In Chromium, decoded text costs two bytes
 * per character, as the limit charges it.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from '../test/fixture-server.js'
import { startShapeServer } from '../test/reliability/hostile.mjs'
import { launchChromium } from './chromium.js'
import { strippedGlobals } from './engines/suite.js'

const LIMIT = 4 * 1024 * 1024
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** In the page: one source against `url`, the heap sampled after GC; resolves with the outcome. */
const measure = `
window.measure = function (url, maxBufferSize) {
  var live = function () { gc(); return performance.memory.usedJSHeapSize }
  var baseline = live()
  var peak = baseline
  var sampler = setInterval(function () { peak = Math.max(peak, live()) }, 20)
  return new Promise(function (resolve) {
    var source = new window.Ours(url, { maxBufferSize: maxBufferSize, retry: false })
    var finish = function (outcome) {
      clearInterval(sampler)
      clearTimeout(timer)
      source.close()
      outcome.growth = peak - baseline
      resolve(outcome)
    }
    var timer = setTimeout(function () { finish({ reason: 'no error within 20 s' }) }, 20000)
    source.onerror = function (event) {
      peak = Math.max(peak, live())
      finish({ reason: event.reason, message: event.message, readyState: source.readyState })
    }
  })
}`

let pages: FixtureServer
let browser: Browser
let page: Page
const urls: Record<string, string> = {}

beforeAll(async () => {
  pages = await FixtureServer.start()
  pages.serve('/index.js', 'text/javascript', readFileSync(here('../dist/index.js'), 'utf8'))
  pages.serve(
    '/legacy.js',
    'text/javascript',
    readFileSync(here('../dist/eventsource.legacy.min.js'), 'utf8'),
  )
  urls['fetch (standard build)'] = pages.serve(
    '/modern.html',
    'text/html',
    `<!doctype html><script>${measure}</script><script type="module">import { EventSource } from '/index.js'; window.Ours = EventSource</script>`,
  )
  const strip = `var names = ${JSON.stringify(strippedGlobals)}; for (var i = 0; i < names.length; i++) delete window[names[i]]`
  urls['XMLHttpRequest (legacy bundle)'] = pages.serve(
    '/legacy.html',
    'text/html',
    `<!doctype html><script>${strip}</script><script src="/legacy.js"></script><script>${measure}; window.Ours = window.IsomorphicEventSource</script>`,
  )
  browser = await launchChromium(['--js-flags=--expose-gc', '--enable-precise-memory-info'])
  page = await browser.newPage()
})

afterAll(async () => {
  await browser?.close()
  await pages?.close()
})

for (const build of ['fetch (standard build)', 'XMLHttpRequest (legacy bundle)']) {
  describe(build, () => {
    for (const shape of ['endless data lines', 'endless line']) {
      test(`${shape}: overflow, the heap within twice maxBufferSize`, async () => {
        // 64 KiB every 2 ms: XMLHttpRequest's own responseText holds what a progress event
        // brings, however large; paced, that stays small next to the limit.
        const server = await startShapeServer(shape, 48e6, 2)
        try {
          await page.goto(urls[build] as string)
          await page.waitForFunction(
            () => typeof (window as { Ours?: unknown }).Ours === 'function',
          )
          const result = await page.evaluate(
            ([url, max]) =>
              (window as unknown as { measure(u: string, m: number): Promise<unknown> }).measure(
                url,
                max,
              ),
            [server.url, LIMIT] as const,
          )
          const { growth, ...outcome } = result as { growth: number }
          expect(outcome).toEqual({
            reason: 'overflow',
            message: `A line or event exceeded maxBufferSize (${LIMIT} bytes)`,
            readyState: 2,
          })
          expect(growth).toBeLessThan(2 * LIMIT)
        } finally {
          await server.close()
        }
      })
    }
  })
}

test('XMLHttpRequest (legacy bundle): an event of 2 MiB arrives once, not recycled forever', async () => {
  // Past 1 MiB of responseText the request is replaced, resuming from Last-Event-ID: inside an
  // event that is most of the buffer, that would receive the same event again, forever.
  // Sent in 64 KiB pieces 5 ms apart, so progress events come in the middle of the event.
  const big: Array<string | number> = ['id: 2\ndata: ']
  for (let i = 0; i < 32; i++) big.push('x'.repeat(64 * 1024), 5)
  big.push('\n\n')
  const route = pages.route((request) => ({
    body:
      request.lastEventId === undefined
        ? ['id: 1\ndata: small\n\n', ...big]
        : request.lastEventId === '1'
          ? big
          : [],
    finish: 'hang',
  }))
  await page.goto(urls['XMLHttpRequest (legacy bundle)'] as string)
  const seen = await page.evaluate(
    (url) =>
      new Promise<string[]>((resolve) => {
        const log: string[] = []
        const Ours = (window as unknown as { Ours: typeof EventSource }).Ours
        const source = new Ours(url)
        const finish = () => {
          source.close()
          resolve(log)
        }
        source.onopen = () => log.push('open')
        source.onerror = () => log.push('error')
        source.onmessage = (event) => {
          log.push(`${event.lastEventId}:${event.data.length}`)
          if (event.lastEventId === '2') setTimeout(finish, 300)
        }
        setTimeout(finish, 10_000)
      }),
    route.url,
  )
  expect(seen).toEqual(['open', '1:5', `2:${2 * 1024 * 1024}`])
  // Once the event is in, the full buffer is replaced: a fresh request that resumes after it
  // (Chromium may send that one twice: it retries a request on a reused socket that was closed).
  const resumedFrom = route.requests.map((request) => request.lastEventId)
  expect([...new Set(resumedFrom)]).toEqual([undefined, '2'])
})

describe('a URL with credentials: as Chromium, one error and CLOSED, no request', () => {
  for (const [name, pageName, klass] of [
    ['native', 'fetch (standard build)', 'EventSource'],
    ['ours, standard build', 'fetch (standard build)', 'Ours'],
    ['ours, legacy bundle', 'XMLHttpRequest (legacy bundle)', 'Ours'],
  ] as const) {
    test(name, async () => {
      const route = pages.route(() => ({ body: ['data: x\n\n'] }))
      await page.goto(urls[pageName] as string)
      await page.waitForFunction(() => typeof (window as { Ours?: unknown }).Ours === 'function')
      const seen = await page.evaluate(
        ([url, klass]) =>
          new Promise<string[]>((resolve) => {
            const Class = (window as unknown as Record<string, typeof EventSource>)[klass]
            const log: string[] = []
            const source = new (Class as typeof EventSource)(url)
            source.onopen = () => log.push('open')
            source.onmessage = () => log.push('message')
            source.onerror = (event) => {
              const { message } = event as Event & { message?: string }
              log.push(`error:${source.readyState}`)
              if (message !== undefined) log.push(message)
            }
            setTimeout(() => {
              source.close()
              resolve(log)
            }, 500)
          }),
        [route.url.replace('http://', 'http://user:secret@'), klass] as const,
      )
      expect(seen).toEqual(
        name === 'native'
          ? ['error:2']
          : ['error:2', 'The URL has credentials (user:password@), which EventSource never sends'],
      )
      expect(route.requests).toHaveLength(0)
    })
  }
})
