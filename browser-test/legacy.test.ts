/**
 * "Old-browser mode" in all four engines: the page's first inline script deletes EventSource,
 * fetch, the streams, TextDecoder/TextEncoder, AbortController/AbortSignal, Request, Response and
 * Headers; then dist/eventsource.legacy.min.js (the ES5 `<script>` bundle) loads and installs
 * itself, and the shared suite runs against that `window.EventSource`, the XMLHttpRequest
 * transport underneath. Expected: the native results, as for our ESM build.
 */
import { afterAll, beforeAll, expect } from 'vitest'
import type { Difference } from '../test/conformance/difference.js'
import { engines } from './engines/index.js'
import { defineEngineSuite, type Exceptions, type Fixture, startFixture } from './engines/suite.js'

/**
 * Named differences from the expected result: case name → "engine/legacy" → why, and exactly
 * what old-browser mode gives instead (the part left out is as expected). Differences every engine
 * shares with our ESM build live in the case itself: `oursDiffers`.
 */
const noCacheMode: Difference = {
  why: 'XMLHttpRequest has no cache mode, so the "no-store" request’s `Cache-Control: no-cache` is not sent. Adding it as an author header would make every cross-origin request need a CORS preflight, which native EventSource never causes.',
  // The expected request, with the header absent; the events are as expected.
  requests: [
    { method: 'GET', accept: 'text/event-stream', cacheControl: undefined, lastEventId: undefined },
  ],
}
const noOmit: Difference = {
  why: 'XMLHttpRequest always sends same-origin cookies (`withCredentials` governs cross-origin requests only), so `credentials: "omit"` cannot be honoured on a same-origin request.',
  // The second request, made with `credentials: "omit"`, carries the cookie all the same.
  requests: ['session=abc', 'session=abc'],
}
const webkitSplitBom: Difference = {
  why: 'WebKit’s streaming text decoder (its XMLHttpRequest’s, as its native EventSource’s) does not recognise a BOM split across network reads: responseText then starts with replacement characters, nothing is dispatched, and the stream ends and reconnects (the case stops at the first error). Decoding the bytes ourselves (overrideMimeType "text/plain; charset=x-user-defined") would avoid it.',
  result: ['open:1', 'error:0'],
}

const webkitHeaderEncoding: Difference = {
  why: 'WebKit encodes request header values as UTF-8 itself but refuses characters beyond U+00FF (fetch\'s ByteString rule), so a script cannot put the UTF-8 bytes of "€" or "😀" on the wire: ours sends such an id pre-encoded (it arrives encoded twice; text up to U+00FF arrives right). WebKit\'s native EventSource, inside the engine, can.',
  // The server decodes the header once and is left with the id's UTF-8 bytes, one character each.
  requests: [undefined, String.fromCharCode(...new TextEncoder().encode('é€😀'))],
}

const exceptions: Exceptions = {
  'a reconnect sends the last event ID, encoded as UTF-8': {
    'webkitgtk/legacy': webkitHeaderEncoding,
    'wpe/legacy': webkitHeaderEncoding,
  },
  'the first request is a GET accepting text/event-stream, with no Last-Event-ID': {
    'chromium/legacy': noCacheMode,
    'firefox/legacy': noCacheMode,
    'webkitgtk/legacy': noCacheMode,
    'wpe/legacy': noCacheMode,
  },
  'credentials: "omit" keeps same-origin cookies off the request; the default sends them': {
    'chromium/legacy': noOmit,
    'firefox/legacy': noOmit,
    'webkitgtk/legacy': noOmit,
    'wpe/legacy': noOmit,
  },
  'one leading BOM is stripped, even split across chunks': {
    'webkitgtk/legacy': webkitSplitBom,
    'wpe/legacy': webkitSplitBom,
  },
}

const missing = await Promise.all(engines.map((engine) => engine.available()))

let fixture: Fixture | undefined
beforeAll(async () => {
  fixture = await startFixture(['legacy'])
}, 60_000)
afterAll(async () => {
  await fixture?.close()
})

engines.forEach((engine, index) => {
  defineEngineSuite({
    engine,
    missing: missing[index],
    modes: ['legacy'],
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
