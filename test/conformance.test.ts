import { EventSource } from 'isomorphic-eventsource'
import { EventSource as StandardEventSource } from 'isomorphic-eventsource/standard'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cases } from './conformance/cases.js'
import { expectedOutcome } from './conformance/difference.js'
import { extensionCases } from './conformance/extension-cases.js'
import type { EventSourceClass } from './conformance/observe.js'
import { prepareCase } from './conformance/prepare.js'
import { FixtureServer } from './fixture-server.js'

// The shared suite against the built package (dist/), the same cases the browser suite runs
// against native EventSource and ours: the full tier (the Node build) and the W3C-only tier
// (isomorphic-eventsource/standard, on Node's fetch), which runs the W3C cases only.
let main: FixtureServer
let other: FixtureServer
beforeAll(async () => {
  main = await FixtureServer.start()
  other = await FixtureServer.start()
})
afterAll(async () => {
  await main.close()
  await other.close()
})

describe.concurrent.each([
  ['dist build', EventSource, [...cases, ...extensionCases]],
  ['W3C-only tier', StandardEventSource, cases],
] as const)('WHATWG conformance (Node, %s)', (_name, Class, list) => {
  for (const testCase of list) {
    // A case that needs a page runs in the browser suite only; the reason is in the case.
    const run = testCase.browserOnly === undefined ? test : test.skip
    run(testCase.name, async () => {
      const prepared = prepareCase(testCase, main, other)
      const result = await testCase.run({
        EventSource: Class as unknown as EventSourceClass,
        url: prepared.url,
      })
      // Where ours is known to differ, the case names exactly what it gives instead.
      const difference = testCase.oursDiffers
      const expected = expectedOutcome(testCase, difference)
      expect(result, difference?.why).toEqual(expected.result)
      if (testCase.requests) expect(prepared.requests(), difference?.why).toEqual(expected.requests)
    })
  }
})
