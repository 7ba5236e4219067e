/**
 * A shared source behaves to its tab exactly as an EventSource: the shared conformance suite
 * (the W3C cases and our extensions), in Chromium, with `share` added to every source. Each
 * source has a key of its own, so it leads, and every event reaches it through the sharing code
 * (election, the leader's connection, the sequencer, the state it keeps). The expected outcomes
 * are ours without `share`, differences included. (Followers get the same calls from the
 * leader's broadcasts: browser-test/share.test.ts checks them in real tabs.)
 */
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cases } from '../test/conformance/cases.js'
import { expectedOutcome } from '../test/conformance/difference.js'
import { extensionCases } from '../test/conformance/extension-cases.js'
import { prepareCase } from '../test/conformance/prepare.js'
import { FixtureServer } from '../test/fixture-server.js'
import { launchChromium } from './chromium.js'

let main: FixtureServer
let other: FixtureServer
let browser: Browser
let page: Page

beforeAll(async () => {
  main = await FixtureServer.start()
  other = await FixtureServer.start()
  const bundle = await build({
    entryPoints: [new URL('./share/conformance-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
  })
  main.serve('/page.js', 'text/javascript', bundle.outputFiles[0]?.text ?? '')
  main.serve(
    '/',
    'text/html',
    '<!doctype html><meta charset="utf-8"><script src="/page.js"></script>',
  )
  browser = await launchChromium()
  page = await browser.newPage()
  // 127.0.0.1 is a secure context: Web Locks are there, so the sources really share.
  await page.goto(`${main.origin}/`)
  expect(await page.evaluate(() => typeof navigator.locks?.request)).toBe('function')
})

afterAll(async () => {
  await browser?.close()
  await main?.close()
  await other?.close()
})

describe.concurrent('Chromium, ours with share', () => {
  for (const testCase of [...cases, ...extensionCases]) {
    test(testCase.name, async () => {
      const prepared = prepareCase(testCase, main, other)
      const result = await page.evaluate(([name, url]) => globalThis.runSharedCase(name, url), [
        testCase.name,
        prepared.url,
      ] as const)
      const expected = expectedOutcome(testCase, testCase.oursDiffers)
      expect(result, testCase.oursDiffers?.why).toEqual(expected.result)
      if (testCase.requests) {
        expect(prepared.requests(), testCase.oursDiffers?.why).toEqual(expected.requests)
      }
    })
  }
})

describe('Chromium, the sharing at work', () => {
  test('an open shared source holds its Web Lock; after close() no lock of ours is held or waiting', async () => {
    const route = main.route(() => ({ body: ['data: a\n\n'], finish: 'hang' }), 'locks')
    const locks = await page.evaluate((url) => globalThis.sharedLocks(url), route.url)
    expect(locks).toEqual({
      open: [expect.stringMatching(/^isomorphic-eventsource\/share\/1\/name\/conformance \d+$/)],
      closed: [],
    })
  })
})
