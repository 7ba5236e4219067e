/**
 * The shared conformance suite in every engine but Chromium (browser-test/conformance.test.ts
 * covers that one): Firefox ESR, WebKitGTK and WPE WebKit, each against its native EventSource,
 * against ours (the ESM build installed as `window.EventSource`) and against the W3C-only tier
 * (isomorphic-eventsource/standard, installed so). Engines run one after
 * another. A missing engine is skipped with a message, or fails under REQUIRE_ALL_ENGINES=1.
 */
import { afterAll, beforeAll } from 'vitest'
import type { Difference } from '../test/conformance/difference.js'
import { engines } from './engines/index.js'
import { defineEngineSuite, type Exceptions, type Fixture, startFixture } from './engines/suite.js'

/**
 * Named differences from the expected result: case name → "engine/mode" → why, and exactly what
 * that engine and mode give instead (the part left out is as expected). Differences every engine
 * shares live in the case itself: `oursDiffers`, `chromiumDiffers`.
 */
const webkitRetry: Difference = {
  why: 'WebKit takes this retry value as a reconnection time (it parses leniently: spaces before and after the digits are accepted, and an empty value resets its 3 s default), where the spec ignores any value that is not only ASCII digits; the reconnect then comes after the case’s 2.5 s window.',
  result: ['open:1', 'message:a|', 'error:0', 'timeout'],
}

const webkitHeaderEncoding: Difference = {
  why: 'WebKit encodes request header values as UTF-8 itself but refuses characters beyond U+00FF (fetch\'s ByteString rule), so a script cannot put the UTF-8 bytes of "€" or "😀" on the wire: ours sends such an id pre-encoded (it arrives encoded twice; text up to U+00FF arrives right). WebKit\'s native EventSource, inside the engine, can.',
  // The server decodes the header once and is left with the id's UTF-8 bytes, one character each.
  requests: [undefined, String.fromCharCode(...new TextEncoder().encode('é€😀'))],
}

const idOutOfBlockWithoutData = (engine: string): Difference => ({
  why: `${engine} keeps the id of a block without data out of the last event ID ("dispatch the event" step 1 sets it before the empty-data return), so the reconnect sends none.`,
  result: ['open:1', 'error:0', 'open:1', 'message:a|'],
  requests: [undefined, undefined],
})

const webkitCombinedType: Difference = {
  why: 'WebKit checks the whole Content-Type value; Fetch\'s "extract a MIME type" takes the last valid entry of a combined list (text/event-stream here), as Chromium, Firefox and we do. So WebKit fails the connection.',
  result: ['error:2', 'timeout'],
}

const webkitSplitBom: Difference = {
  why: 'WebKit does not recognise a BOM split across network reads: the first field name keeps the broken BOM, nothing is dispatched, and the stream ends and reconnects (the case stops at the first error).',
  result: ['open:1', 'error:0'],
}

const firefoxHeadAtFirstByte: Difference = {
  why: 'Firefox holds the head of a response until the first byte of its body (or its end), for every client: its native EventSource, fetch and XMLHttpRequest alike. The spec announces the connection in processResponse, when the head arrives.',
  result: 'open with the body',
}

const firefoxAbortAfterRedirect: Difference = {
  why: 'Firefox keeps the connection of a fetch that followed a redirect open after the fetch is aborted (its body cancelled too), until the page goes away; a fetch without a redirect closes. Its native EventSource closes it. Ours can only abort the fetch, so each such closed stream holds one of Firefox’s 6 connections per host.',
  requests: [false],
}

const exceptions: Exceptions = {
  'announces the connection when the head arrives, before any byte of the body': {
    'firefox/native': firefoxHeadAtFirstByte,
    'firefox/ours': firefoxHeadAtFirstByte,
    'firefox/standard': firefoxHeadAtFirstByte,
  },
  'a reconnect sends the last event ID, encoded as UTF-8': {
    'webkitgtk/ours': webkitHeaderEncoding,
    'webkitgtk/standard': webkitHeaderEncoding,
    'wpe/ours': webkitHeaderEncoding,
    'wpe/standard': webkitHeaderEncoding,
  },
  'a block without data dispatches nothing': {
    'firefox/native': {
      why: 'Firefox updates lastEventId only when an event with data is dispatched; the spec sets the last event ID string from the buffer in "dispatch the event" step 1, before the empty-data return, so the data-less `id: 1` block counts.',
      result: ['open:1', 'message:a|'],
    },
  },
  'close() after a cross-origin redirect releases the connection': {
    'firefox/ours': firefoxAbortAfterRedirect,
    'firefox/standard': firefoxAbortAfterRedirect,
  },
  'an id containing U+0000 is ignored': {
    'firefox/native': {
      why: 'Firefox drops the connection (error, then reconnect) on an `id` field containing U+0000, where the spec ignores that field and carries on (the case stops at the first error).',
      result: ['open:1', 'message:a|1', 'error:0'],
    },
  },
  'an id in a block without data still sets the last event ID': {
    'firefox/native': idOutOfBlockWithoutData('Firefox'),
    'webkitgtk/native': idOutOfBlockWithoutData('WebKit'),
    'wpe/native': idOutOfBlockWithoutData('WebKit'),
  },
  'announces a 200 response of type "text/html, text/event-stream"': {
    'webkitgtk/native': webkitCombinedType,
    'wpe/native': webkitCombinedType,
  },
  'one leading BOM is stripped, even split across chunks': {
    'webkitgtk/native': webkitSplitBom,
    'wpe/native': webkitSplitBom,
  },
  'a retry value with a second leading space is ignored': {
    'webkitgtk/native': webkitRetry,
    'wpe/native': webkitRetry,
  },
  'a retry value with a trailing space is ignored': {
    'webkitgtk/native': webkitRetry,
    'wpe/native': webkitRetry,
  },
  'a retry value with an empty value is ignored': {
    'webkitgtk/native': webkitRetry,
    'wpe/native': webkitRetry,
  },
}

const targets = engines.filter((engine) => engine.name !== 'chromium')
const missing = await Promise.all(targets.map((engine) => engine.available()))

let fixture: Fixture | undefined
beforeAll(async () => {
  fixture = await startFixture(['native', 'ours', 'standard'])
}, 60_000)
afterAll(async () => {
  await fixture?.close()
})

targets.forEach((engine, index) => {
  defineEngineSuite({
    engine,
    missing: missing[index],
    modes: ['native', 'ours', 'standard'],
    exceptions,
    fixture: () => {
      if (fixture === undefined) throw new Error('fixture not started')
      return fixture
    },
  })
})
