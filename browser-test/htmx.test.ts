/**
 * htmx's SSE extension (htmx.org 2 and htmx-ext-sse, dev dependencies, as published) on our class,
 * in all four engines: the extension makes its sources with `new EventSource(url, {
 * withCredentials: true })` from the global, so installing ours is all a page does. The page
 * connects with `sse-connect`, swaps the default and a named event into two elements with
 * `sse-swap`, and closes on a named event with `sse-close`; the test checks the DOM, that the
 * source htmx made is ours, and that the close reached the server (the stream's connection
 * closed, no second request).
 *
 * Modes: `modern` (the ESM build installed over the native EventSource with `install({ force:
 * true })`) and `old-browser` (modern APIs deleted, then the legacy `<script>` bundle, which
 * installs itself).
 */
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Loopback, listen } from '../test/support/loopback.js'
import { describeEachEngine } from './engines/each-engine.js'
import { stripGlobalsScript } from './engines/suite.js'

interface StreamRequest {
  method: string
  accept: string | undefined
  /** Whether the stream's response closed (the client went away) within the test. */
  closed: boolean
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const streams: StreamRequest[] = []
const files: Record<string, string> = {}
let server: Loopback
let origin = ''

/** What the stream sends, 150 ms apart; it stays open after `done` until the client closes. */
const script = [
  'data: <b>one</b>\n\n',
  'event: score\ndata: 3-1\n\n',
  'data: <i>two</i>\n\n',
  'event: done\ndata: bye\n\n',
]

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  const file = files[path]
  if (file !== undefined) {
    const type = path.endsWith('.js') ? 'text/javascript' : 'text/html'
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(file)
    return
  }
  if (path === '/stream') {
    const record: StreamRequest = {
      method: req.method ?? '',
      accept: req.headers['accept'],
      closed: false,
    }
    streams.push(record)
    res.on('close', () => {
      record.closed = true
    })
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    script.forEach((piece, index) => {
      setTimeout(() => {
        if (!res.destroyed) res.write(piece)
      }, index * 150)
    })
    return
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here')
}

/** Records what htmx reports, in ES5 (it runs in the old-browser page too). */
const recorder = `<script>
window.__htmx = { swaps: [], opened: null, closed: null };
document.addEventListener('htmx:sseOpen', function (e) {
  var source = e.detail.source;
  window.__htmx.opened = { ours: source.constructor.isomorphic === true, isGlobal: source instanceof window.EventSource, url: source.url };
});
document.addEventListener('htmx:sseMessage', function (e) {
  window.__htmx.swaps.push(e.target.id + ' ' + e.detail.type + ' ' + e.detail.data);
});
document.addEventListener('htmx:sseClose', function (e) {
  var source = e.detail.source;
  setTimeout(function () { window.__htmx.closed = { type: e.detail.type, readyState: source.readyState }; }, 0);
});
</script>`
const body = `<div id="feed" hx-ext="sse" sse-connect="/stream" sse-close="done">
<div id="news" sse-swap="message">waiting</div>
<div id="score" sse-swap="score">none</div>
</div>`

beforeAll(async () => {
  const installer = await build({
    stdin: {
      contents: "import { install } from './dist/index.js'\ninstall({ force: true })\n",
      resolveDir: here('..'),
    },
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  })
  files['/install.js'] = installer.outputFiles[0]?.text ?? ''
  files['/eventsource.legacy.min.js'] = readFileSync(
    here('../dist/eventsource.legacy.min.js'),
    'utf8',
  )
  files['/htmx.min.js'] = readFileSync(here('../node_modules/htmx.org/dist/htmx.min.js'), 'utf8')
  files['/sse.js'] = readFileSync(here('../node_modules/htmx-ext-sse/sse.js'), 'utf8')
  const htmx = '<script src="/htmx.min.js"></script><script src="/sse.js"></script>'
  files['/modern.html'] =
    `<!doctype html><meta charset="utf-8">${recorder}<script src="/install.js"></script>${htmx}<body>${body}</body>`
  files['/old-browser.html'] =
    `<!doctype html><meta charset="utf-8">${recorder}${stripGlobalsScript}<script src="/eventsource.legacy.min.js"></script>${htmx}<body>${body}</body>`
  server = await listen(http.createServer(handle), 'http')
  origin = server.origin
})

afterAll(() => server?.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Report {
  swaps: string[]
  opened: { ours: boolean; isGlobal: boolean; url: string } | null
  closed: { type: string; readyState: number } | null
  news?: string
  score?: string
}

await describeEachEngine((sessionFor) => {
  for (const mode of ['modern', 'old-browser'] as const) {
    test(`${mode}: sse-connect, sse-swap and sse-close work on our class`, async (context) => {
      const session = sessionFor(context)
      const before = streams.length
      await session.goto(`${origin}/${mode}.html`)
      let report: Report
      const deadline = Date.now() + 15_000
      for (;;) {
        report = JSON.parse(
          await session.evaluate(
            "JSON.stringify({ swaps: window.__htmx.swaps, opened: window.__htmx.opened, closed: window.__htmx.closed, news: document.getElementById('news').innerHTML, score: document.getElementById('score').innerHTML })",
          ),
        ) as Report
        if (report.closed !== null || Date.now() > deadline) break
        await sleep(100)
      }
      // A reconnect, were the close lost, would come within the 3 s default or sooner.
      const settled = Date.now() + 5_000
      while (!streams.slice(before).every((stream) => stream.closed) && Date.now() < settled)
        await sleep(100)
      await sleep(500)
      // Before leaving the page, which would close the connection anyway.
      const requests = streams.slice(before).map((stream) => ({ ...stream }))
      await session.goto('about:blank')
      expect(report).toEqual({
        swaps: ['news message <b>one</b>', 'score score 3-1', 'news message <i>two</i>'],
        opened: { ours: true, isGlobal: true, url: `${origin}/stream` },
        closed: { type: 'message', readyState: 2 },
        news: '<i>two</i>',
        score: '3-1',
      })
      // One request, whose connection the close ended while the server held it open.
      expect(requests).toEqual([{ method: 'GET', accept: 'text/event-stream', closed: true }])
    })
  }
})
