import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cases } from '../test/conformance/cases.js'
import { expectedOutcome } from '../test/conformance/difference.js'
import { extensionCases } from '../test/conformance/extension-cases.js'
import { prepareCase } from '../test/conformance/prepare.js'
import { FixtureServer } from '../test/fixture-server.js'
import { launchChromium } from './chromium.js'
import type { Mode } from './page.js'

let main: FixtureServer
let other: FixtureServer
let browser: Browser
const pages = new Map<Mode, Page>()

beforeAll(async () => {
  main = await FixtureServer.start()
  other = await FixtureServer.start()
  const bundle = await build({
    entryPoints: [new URL('./page.ts', import.meta.url).pathname],
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
  for (const mode of ['native', 'ours', 'standard'] as const) {
    const page = await browser.newPage()
    await page.goto(`${main.origin}/`)
    pages.set(mode, page)
  }
})

afterAll(async () => {
  await browser?.close()
  await main?.close()
  await other?.close()
})

for (const mode of ['native', 'ours', 'standard'] as const) {
  describe.concurrent(`Chromium, ${mode} EventSource`, () => {
    // The extension cases use options only the full class has.
    for (const testCase of mode === 'ours' ? [...cases, ...extensionCases] : cases) {
      // Each difference from the expected (native) result is named in the case itself, with its
      // reason and the exact result it gives instead.
      const difference = mode === 'native' ? testCase.chromiumDiffers : testCase.oursDiffers
      test(testCase.name, async () => {
        const page = pages.get(mode)
        if (page === undefined) throw new Error('page not ready')
        const prepared = prepareCase(testCase, main, other)
        const result = await page.evaluate(([name, m, url]) => globalThis.runCase(name, m, url), [
          testCase.name,
          mode,
          prepared.url,
        ] as const)
        const expected = expectedOutcome(testCase, difference)
        expect(result, difference?.why).toEqual(expected.result)
        if (testCase.requests) {
          expect(prepared.requests(), difference?.why).toEqual(expected.requests)
        }
      })
    }
  })
}
