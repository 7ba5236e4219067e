/**
 * The transport contract, case by case: one list run against every transport (node:http, undici,
 * fetch in Node; fetch and XMLHttpRequest in Chromium). Each case is data: the routes of a loopback
 * server, what the client does (which request, when it aborts) and the callback log every
 * transport must produce (see harness.ts for the log's format).
 *
 * The contract (src/transport.ts): either `onError` alone, or `onResponse`, zero or more
 * `onChunk`, then exactly one of `onEnd` / `onError`; nothing after `abort()` returns; `abort()`
 * is idempotent. XMLHttpRequest's `onRecycle` is the one named exception.
 *
 * This file is bundled into the browser page too: no Node modules here.
 */

/** Every transport the suite runs against. */
export type TransportName =
  | 'node-http'
  | 'node-http2'
  | 'undici'
  | 'fetch (global)'
  | 'fetch (undici)'
  | 'fetch (Chromium)'
  | 'xhr (Chromium)'

/** One scripted response of a route. */
export interface RouteScript {
  /** Destroy the socket before any response: a network error before the head. */
  readonly drop?: true
  /** Milliseconds to wait before the head. */
  readonly delayHead?: number
  /** @defaultValue 200 */
  readonly status?: number
  /** Names and values; `content-type: text/event-stream` when absent. */
  readonly headers?: Readonly<Record<string, string>>
  /**
   * How the body's end is marked: chunked transfer coding, a Content-Length of the whole body
   * (or `contentLength`), or the close of the connection (no length, `Connection: close`).
   * @defaultValue 'chunked'
   */
  readonly framing?: 'chunked' | 'length' | 'close'
  readonly contentLength?: number
  /** Written in order: text, raw bytes, or a number of milliseconds to wait. */
  readonly body?: ReadonlyArray<string | Uint8Array | number>
  /**
   * After the body: end the response, keep it open, close the socket (FIN) or reset it (RST).
   * @defaultValue 'end'
   */
  readonly finish?: 'end' | 'hang' | 'fin' | 'reset'
}

/**
 * When the client aborts. `in-*` abort inside the callback; `after-chunk` and the timed ones from
 * a timer; `after-end` once the transport has reported the end. Every abort is called twice in a
 * row and once more a little later (harness.ts): it must be idempotent.
 */
export type AbortPlan =
  | 'sync'
  | 'in-response'
  | 'in-chunk'
  | 'after-chunk'
  | 'after-end'
  | { readonly afterStart: number }
  | { readonly afterResponse: number }

/** A log the transport gives instead of `expected`, and why: asserted exactly, so a fix shows. */
export interface KnownDifference {
  readonly log: readonly string[]
  readonly why: string
}

export interface ContractCase {
  readonly name: string
  /** Routes by path; the request goes to `/start`. Absent: nothing listens on the port. */
  readonly routes?: Readonly<Record<string, RouteScript>>
  readonly method?: 'GET' | 'POST'
  readonly body?: string
  readonly abort?: AbortPlan
  /** Response headers the log shows, read inside `onResponse`. @defaultValue ['content-type'] */
  readonly logHeaders?: readonly string[]
  readonly expected: readonly string[]
  /** What the server received, as `METHOD /path body`, when the case checks it. */
  readonly requests?: readonly string[]
  readonly differences?: Partial<Record<TransportName, KnownDifference>>
}

/** The text of the log entry for a body (harness.ts): short bodies verbatim, long ones hashed. */
export function bodyEntry(text: string): string {
  if (text.length <= 120) return `body ${JSON.stringify(text)}`
  // FNV-1a over UTF-16 code units: a readable entry that still changes with any byte.
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return `body ${text.length} chars, fnv1a ${(hash >>> 0).toString(16)}`
}

const SSE = 'text/event-stream'
const ok = (path = '/start', type = SSE) => `response 200 ${path} content-type=${type}`

// Multi-byte UTF-8 (2, 3 and 4 bytes) and CRLF, so a split can fall inside a character.
const splitText = 'data: é€😀\r\n\r\n'
const oneByteAtATime = Array.from(new TextEncoder().encode(splitText)).flatMap((byte) => [
  new Uint8Array([byte]),
  5,
])

// Just past XMLHttpRequest's recycle length (1 MiB of text, src/transports/xhr.ts): it can only
// be crossed by the last bytes of this burst, so XHR's recycle point is deterministic.
const line = `data: ${'x'.repeat(1017)}\n\n` // 1 KiB
const burst = `${line.repeat(1024)}data: y\n\n`
const after = 'data: after\n\n'

const redirect = (status: number): ContractCase => ({
  name: `a ${status} redirect is followed and the head names the final URL`,
  routes: {
    '/start': { status, headers: { location: '/final' }, body: ['moved'] },
    '/final': { body: ['data: ok\n\n'] },
  },
  expected: [ok('/final'), 'body "data: ok\\n\\n"', 'end'],
  requests: ['GET /start', 'GET /final'],
})

/** An error after some body bytes: the head, those bytes, then `onError`. */
const cutAfterData = [ok(), 'body "data: 1\\n\\n"', 'error']

// Project issue #13, item 7: not fixable in our transports, which never see the socket's error.
const undiciEndsOnReset: KnownDifference = {
  log: [ok(), 'body "data: 1\\n\\n"', 'end'],
  why: 'undici (and so Node fetch, built on it) ends a body without a length on ECONNRESET: its HTTP/1.1 client takes the data so far as the whole response (a workaround for macOS resetting after a full body)',
}

export const contractCases: readonly ContractCase[] = [
  // ── Order of callbacks ────────────────────────────────────────────────────────────────────
  {
    name: 'a refused connection reports onError alone',
    expected: ['error'],
  },
  {
    name: 'a connection dropped before any response reports onError alone',
    routes: { '/start': { drop: true } },
    expected: ['error'],
  },
  {
    name: 'a chunked body reports onResponse, the bytes, then onEnd',
    routes: { '/start': { body: ['data: 1\n\n', 20, 'data: 2\n\n'] } },
    expected: [ok(), 'body "data: 1\\n\\ndata: 2\\n\\n"', 'end'],
    requests: ['GET /start'],
  },
  {
    name: 'a body with a Content-Length reports onResponse, the bytes, then onEnd',
    routes: { '/start': { framing: 'length', body: ['data: 1\n\n', 20, 'data: 2\n\n'] } },
    expected: [ok(), 'body "data: 1\\n\\ndata: 2\\n\\n"', 'end'],
  },
  {
    name: 'a close-delimited body closed cleanly (FIN) reports onEnd',
    routes: { '/start': { framing: 'close', body: ['data: 1\n\n', 20, 'data: 2\n\n'] } },
    expected: [ok(), 'body "data: 1\\n\\ndata: 2\\n\\n"', 'end'],
  },
  {
    name: 'a 204 without a body reports onResponse then onEnd',
    routes: { '/start': { status: 204, headers: {} } },
    logHeaders: [],
    expected: ['response 204 /start', 'end'],
  },
  {
    name: 'a POST sends its body and gets the stream',
    routes: { '/start': { body: ['data: 1\n\n'] } },
    method: 'POST',
    body: 'hello',
    expected: [ok(), 'body "data: 1\\n\\n"', 'end'],
    requests: ['POST /start hello'],
  },

  // ── Status and headers before any body ───────────────────────────────────────────────────
  {
    name: 'a body that never starts: onResponse alone, and abort releases the socket',
    routes: { '/start': { finish: 'hang' } },
    abort: { afterStart: 600 },
    expected: [ok(), 'abort'],
    differences: {
      'xhr (Chromium)': {
        log: ['abort'],
        why: 'Chromium XMLHttpRequest reaches HEADERS_RECEIVED only with the first body byte (or the end), so the transport cannot report the head before',
      },
    },
  },
  {
    name: 'a non-200 status comes with its headers, then its body',
    routes: {
      '/start': {
        status: 503,
        headers: { 'content-type': 'text/plain', 'x-contract': 'yes' },
        body: ['unavailable'],
      },
    },
    logHeaders: ['content-type', 'x-contract', 'x-absent'],
    expected: [
      'response 503 /start content-type=text/plain x-contract=yes x-absent=null',
      'body "unavailable"',
      'end',
    ],
  },

  // ── Redirects ─────────────────────────────────────────────────────────────────────────────
  redirect(301),
  redirect(302),
  redirect(303),
  redirect(307),
  redirect(308),
  {
    name: 'a chain of redirects ends at the last URL',
    routes: {
      '/start': { status: 302, headers: { location: '/middle' } },
      '/middle': { status: 307, headers: { location: '/final' } },
      '/final': { body: ['data: ok\n\n'] },
    },
    expected: [ok('/final'), 'body "data: ok\\n\\n"', 'end'],
    requests: ['GET /start', 'GET /middle', 'GET /final'],
  },
  {
    name: 'a 303 after a POST is followed with a GET',
    routes: {
      '/start': { status: 303, headers: { location: '/final' } },
      '/final': { body: ['data: ok\n\n'] },
    },
    method: 'POST',
    body: 'hello',
    expected: [ok('/final'), 'body "data: ok\\n\\n"', 'end'],
    requests: ['POST /start hello', 'GET /final'],
  },
  {
    name: 'a 307 after a POST repeats the POST and its body',
    routes: {
      '/start': { status: 307, headers: { location: '/final' } },
      '/final': { body: ['data: ok\n\n'] },
    },
    method: 'POST',
    body: 'hello',
    expected: [ok('/final'), 'body "data: ok\\n\\n"', 'end'],
    requests: ['POST /start hello', 'POST /final hello'],
  },

  // ── Bytes split anywhere ──────────────────────────────────────────────────────────────────
  {
    name: 'a body written one byte at a time arrives as the same bytes',
    routes: { '/start': { body: oneByteAtATime } },
    expected: [ok(), bodyEntry(splitText), 'end'],
  },
  {
    name: 'a body past 1 MiB arrives whole',
    routes: { '/start': { body: [burst, 300, after] } },
    expected: [ok(), bodyEntry(burst + after), 'end'],
    differences: {
      'xhr (Chromium)': {
        log: [ok(), bodyEntry(burst), 'recycle', 'abort'],
        why: 'the named exception: past 1 MiB of responseText, XHR asks for a fresh request (here granted by aborting it)',
      },
    },
  },

  // ── Failures mid-body ─────────────────────────────────────────────────────────────────────
  {
    name: 'a chunked body cut by a reset (RST) reports onError',
    routes: { '/start': { body: ['data: 1\n\n', 50], finish: 'reset' } },
    expected: cutAfterData,
  },
  {
    name: 'a chunked body cut by a close (FIN) reports onError',
    routes: { '/start': { body: ['data: 1\n\n', 50], finish: 'fin' } },
    expected: cutAfterData,
  },
  {
    name: 'a body shorter than its Content-Length reports onError',
    routes: {
      '/start': { framing: 'length', contentLength: 100, body: ['data: 1\n\n', 50], finish: 'fin' },
    },
    expected: cutAfterData,
  },
  {
    name: 'a close-delimited body cut by a reset (RST) reports onError',
    routes: { '/start': { framing: 'close', body: ['data: 1\n\n', 50], finish: 'reset' } },
    expected: cutAfterData,
    differences: {
      undici: undiciEndsOnReset,
      'fetch (global)': undiciEndsOnReset,
      'fetch (undici)': undiciEndsOnReset,
    },
  },

  // ── Nothing after abort() ─────────────────────────────────────────────────────────────────
  {
    name: 'abort right after the call: no callback at all',
    routes: { '/start': { body: ['data: 1\n\n'] } },
    abort: 'sync',
    expected: ['abort'],
  },
  {
    name: 'abort while the server delays the head: no callback, and the socket closes',
    routes: { '/start': { delayHead: 400, body: ['data: 1\n\n'] } },
    abort: { afterStart: 150 },
    expected: ['abort'],
  },
  {
    name: 'abort inside onResponse: nothing more',
    routes: { '/start': { body: [20, 'data: 1\n\n', 'data: 2\n\n'] } },
    abort: 'in-response',
    expected: [ok(), 'abort'],
  },
  {
    name: 'abort inside the first onChunk: nothing more',
    routes: { '/start': { body: ['data: 1\n\n', 100, 'data: 2\n\n', 100], finish: 'hang' } },
    abort: 'in-chunk',
    expected: [ok(), 'body "data: 1\\n\\n"', 'abort'],
  },
  {
    name: 'abort mid-body from a timer: nothing more',
    routes: { '/start': { body: ['data: 1\n\n', 100, 'data: 2\n\n', 100], finish: 'end' } },
    abort: 'after-chunk',
    expected: [ok(), 'body "data: 1\\n\\n"', 'abort'],
  },
  {
    name: 'abort after onEnd: nothing more',
    routes: { '/start': { body: ['data: 1\n\n'] } },
    abort: 'after-end',
    expected: [ok(), 'body "data: 1\\n\\n"', 'end', 'abort'],
  },
]
