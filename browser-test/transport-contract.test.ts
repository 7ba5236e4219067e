/**
 * The transport contract (test/transport-contract/cases.ts) in Chromium, against the two browser
 * transports: fetch with body streams, and XMLHttpRequest (old browsers). The same cases as
 * test/transport-contract.test.ts; each case's server runs here, on its own port (a cross-origin
 * request from the page, as most streams are).
 */
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { FixtureServer } from '../test/fixture-server.js'
import { contractCases, type TransportName } from '../test/transport-contract/cases.js'
import { checkCase } from '../test/transport-contract/check.js'
import { launchChromium } from './chromium.js'
import type { BrowserTransport } from './transport-contract/page.js'

let pages: FixtureServer
let browser: Browser
let page: Page

beforeAll(async () => {
  pages = await FixtureServer.start()
  const bundle = await build({
    entryPoints: [new URL('./transport-contract/page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  pages.serve('/contract.js', 'text/javascript', bundle.outputFiles[0]?.text ?? '')
  const url = pages.serve(
    '/',
    'text/html',
    '<!doctype html><meta charset="utf-8"><script src="/contract.js"></script>',
  )
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(url)
})

afterAll(async () => {
  await browser?.close()
  await pages?.close()
})

const transports: ReadonlyArray<[TransportName, BrowserTransport]> = [
  ['fetch (Chromium)', 'fetch'],
  ['xhr (Chromium)', 'xhr'],
]

// Each case has its own server (its own origin), so cases run side by side without sharing
// sockets or Chromium's six connections per host.
for (const [name, transport] of transports) {
  describe.concurrent(name, () => {
    for (const testCase of contractCases) {
      test(testCase.name, () =>
        checkCase(testCase, name, (origin) =>
          page.evaluate(([t, c, o]) => globalThis.playContractCase(t, c, o), [
            transport,
            testCase.name,
            origin,
          ] as const),
        ),
      )
    }
  })
}
