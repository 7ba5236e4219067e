/**
 * LaunchDarkly's browser SDK (launchdarkly-js-client-sdk, a dev dependency) on our class, in all
 * four engines: with `useReport: true` it streams flag updates over a REPORT request (the context
 * in the body) only when `window.EventSourcePolyfill.supportedOptions.method` is set; otherwise
 * it falls back to a ping stream and polling. A fake LaunchDarkly on loopback answers the SDK's
 * flag request and streams a `put` and a `patch`; the page records the flag's changes.
 *
 * Modes: `modern` (the ESM build as the polyfill, the native EventSource left in place) and
 * `old-browser` (modern APIs deleted, then the legacy `<script>` bundle, which installs itself).
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
  path: string
  accept: string | undefined
  contentType: string | undefined
  body: string
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const streams: StreamRequest[] = []
const files: Record<string, string> = {}
let server: Loopback
let origin = ''

/** The flag as the SDK's first request gets it, then as the stream sends it. */
const flags = { 'flag-a': { value: 'initial', version: 1 } }

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  const file = files[path]
  if (file !== undefined) {
    const type = path.endsWith('.js') ? 'text/javascript' : 'text/html'
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(file)
    return
  }
  let body = ''
  for await (const chunk of req) body += String(chunk)
  if (req.method === 'REPORT' && path === '/sdk/evalx/test-env/context') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(flags))
    return
  }
  if (path === '/eval/test-env') {
    streams.push({
      method: req.method ?? '',
      path,
      accept: req.headers['accept'],
      contentType: req.headers['content-type'],
      body,
    })
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.write(
      `event: put\ndata: ${JSON.stringify({ 'flag-a': { value: 'streamed', version: 2 } })}\n\n`,
    )
    setTimeout(() => {
      if (!res.destroyed)
        res.write(
          `event: patch\ndata: ${JSON.stringify({ key: 'flag-a', value: 'patched', version: 3 })}\n\n`,
        )
    }, 300)
    return
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here')
}

beforeAll(async () => {
  const bundled = await build({
    entryPoints: [here('./launchdarkly/page.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  })
  files['/ld-page.js'] = bundled.outputFiles[0]?.text ?? ''
  files['/eventsource.legacy.min.js'] = readFileSync(
    here('../dist/eventsource.legacy.min.js'),
    'utf8',
  )
  files['/modern.html'] = '<!doctype html><meta charset="utf-8"><script src="/ld-page.js"></script>'
  files['/old-browser.html'] =
    `<!doctype html><meta charset="utf-8">${stripGlobalsScript}<script src="/eventsource.legacy.min.js"></script><script src="/ld-page.js"></script>`
  server = await listen(
    http.createServer((req, res) => void handle(req, res)),
    'http',
  )
  origin = server.origin
})

afterAll(() => server?.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

await describeEachEngine((sessionFor) => {
  for (const mode of ['modern', 'old-browser'] as const) {
    test(`${mode}: flag updates arrive over a REPORT stream made by our class`, async (context) => {
      const session = sessionFor(context)
      const before = streams.length
      await session.goto(`${origin}/${mode}.html`)
      let report: { changes: unknown[]; value: unknown; supportedMethod: unknown; error?: string }
      const deadline = Date.now() + 15_000
      for (;;) {
        report = JSON.parse(
          await session.evaluate('JSON.stringify(window.__ld || { changes: [] })'),
        ) as typeof report
        if (report.changes.length >= 2 || report.error !== undefined || Date.now() > deadline) break
        await sleep(100)
      }
      // Leave the page, so its stream closes before the next mode opens one.
      await session.goto('about:blank')
      expect(report).toEqual({
        changes: [
          ['streamed', 'initial'],
          ['patched', 'streamed'],
        ],
        value: 'patched',
        supportedMethod: true,
      })
      // The native EventSource can only GET: a REPORT stream is ours.
      expect(streams.slice(before)).toEqual([
        {
          method: 'REPORT',
          path: '/eval/test-env',
          accept: 'text/event-stream',
          contentType: 'application/json',
          body: JSON.stringify({ kind: 'user', key: 'user-1' }),
        },
      ])
    })
  }
})
