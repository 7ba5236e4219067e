/**
 * "Old-browser mode" in all four engines: the page's first inline script deletes EventSource,
 * fetch, the streams, TextDecoder/TextEncoder, AbortController/AbortSignal, Request, Response and
 * Headers; then an ES5 `<script>` bundle loads and installs itself, and the shared suite runs
 * against that `window.EventSource`, the XMLHttpRequest transport underneath: in mode `legacy`
 * dist/eventsource.legacy.min.js (the full tier, with the extension cases too), in mode
 * `standard-legacy` dist/eventsource.standard.legacy.min.js (the W3C-only tier). Expected: the
 * native results, as for our ESM build.
 */
import { afterAll, beforeAll, expect } from 'vitest'
import type { Difference } from '../test/conformance/difference.js'
import { type EngineName, engines } from './engines/index.js'
import { defineEngineSuite, type Exceptions, type Fixture, startFixture } from './engines/suite.js'

/**
 * Named differences from the expected result: case name → "engine/legacy" → why, and exactly
 * what old-browser mode gives instead (the part left out is as expected). Differences every engine
 * shares with our ESM build live in the case itself: `oursDiffers`.
 */
const noCacheMode: Difference = {
  why: 'XMLHttpRequest has no cache mode, so the "no-store" request’s `Cache-Control: no-cache` is not sent, and it is not added as an author header: across origins it needs a CORS preflight that native EventSource never causes, and a same-origin URL can redirect to another origin, where each of the four engines then sends that preflight (measured: it fails unless the other origin allows the header, so a redirected stream would fail; retrying without the header costs every such redirect a preflight and a second request).',
  // The expected request, with the header absent; the events are as expected.
  requests: [
    { method: 'GET', accept: 'text/event-stream', cacheControl: undefined, lastEventId: undefined },
  ],
}
const headAtFirstByte: Difference = {
  why: 'Blink’s and WebKit’s XMLHttpRequest moves to HEADERS_RECEIVED (readyState 2, the first state in which `status` and the headers can be read) only when the first byte of the body arrives or the response ends, although the head is in (their native EventSource and fetch report it at once). Nothing a script can read tells the head has arrived, so the connection is announced with the first byte.',
  result: 'open with the body',
}
const firefoxHeadAtFirstByte: Difference = {
  why: 'Firefox holds the head of a response until the first byte of its body (or its end) for every client, its native EventSource and fetch included (engines.test.ts, firefox/native).',
  result: 'open with the body',
}
const noOmit: Difference = {
  why: 'XMLHttpRequest always sends same-origin cookies (`withCredentials` governs cross-origin requests only), so `credentials: "omit"` cannot be honoured on a same-origin request.',
  // The second request, made with `credentials: "omit"`, carries the cookie all the same.
  requests: ['session=abc', 'session=abc'],
}
const webkitHeaderEncoding: Difference = {
  why: 'WebKit encodes request header values as UTF-8 itself but refuses characters beyond U+00FF (fetch\'s ByteString rule), so a script cannot put the UTF-8 bytes of "€" or "😀" on the wire: ours sends such an id pre-encoded (it arrives encoded twice; text up to U+00FF arrives right). WebKit\'s native EventSource, inside the engine, can.',
  // The server decodes the header once and is left with the id's UTF-8 bytes, one character each.
  requests: [undefined, String.fromCharCode(...new TextEncoder().encode('é€😀'))],
}

/** The same difference in both tiers' old-browser mode of `engine`. */
const bothTiers = (engine: EngineName, difference: Difference) => ({
  [`${engine}/legacy`]: difference,
  [`${engine}/standard-legacy`]: difference,
})

const exceptions: Exceptions = {
  'the first request is a GET accepting text/event-stream, with no Last-Event-ID': {
    ...bothTiers('chromium', noCacheMode),
    ...bothTiers('firefox', noCacheMode),
    ...bothTiers('webkitgtk', noCacheMode),
    ...bothTiers('wpe', noCacheMode),
  },
  'announces the connection when the head arrives, before any byte of the body': {
    ...bothTiers('chromium', headAtFirstByte),
    ...bothTiers('firefox', firefoxHeadAtFirstByte),
    ...bothTiers('webkitgtk', headAtFirstByte),
    ...bothTiers('wpe', headAtFirstByte),
  },
  'a reconnect sends the last event ID, encoded as UTF-8': {
    ...bothTiers('webkitgtk', webkitHeaderEncoding),
    ...bothTiers('wpe', webkitHeaderEncoding),
  },
  'credentials: "omit" keeps same-origin cookies off the request; the default sends them': {
    'chromium/legacy': noOmit,
    'firefox/legacy': noOmit,
    'webkitgtk/legacy': noOmit,
    'wpe/legacy': noOmit,
  },
}

const missing = await Promise.all(engines.map((engine) => engine.available()))

let fixture: Fixture | undefined
beforeAll(async () => {
  fixture = await startFixture(['legacy', 'standard-legacy'])
}, 60_000)
afterAll(async () => {
  await fixture?.close()
})

engines.forEach((engine, index) => {
  defineEngineSuite({
    engine,
    missing: missing[index],
    modes: ['legacy', 'standard-legacy'],
    exceptions,
    fixture: () => {
      if (fixture === undefined) throw new Error('fixture not started')
      return fixture
    },
    // The simulation is only worth something if the APIs are really gone and the bundle took over.
    checkPage: (info) => {
      expect(info).toEqual({ notStripped: [], installed: true })
    },
  })
})
