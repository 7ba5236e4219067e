/**
 * For tests that drive a page of their own in every engine (an SDK's page, say): one `describe`
 * per engine, holding one browser session for its tests.
 */
import { afterAll, beforeAll, describe, type TestContext } from 'vitest'
import { engines } from './index.js'
import { requireAllEngines } from './suite.js'
import type { EngineSession } from './types.js'

/**
 * Calls `define` inside one `describe` per engine (named after it). A test calls `sessionFor(context)` first: it
 * returns the engine's session, or skips the test with the reason the engine is missing (fails it
 * under REQUIRE_ALL_ENGINES=1).
 */
export async function describeEachEngine(
  define: (sessionFor: (context: TestContext) => EngineSession) => void,
): Promise<void> {
  const missing = await Promise.all(engines.map((engine) => engine.available()))
  engines.forEach((engine, index) => {
    const why = missing[index]
    describe(engine.name, () => {
      let session: EngineSession | undefined
      beforeAll(async () => {
        if (why === undefined) session = await engine.launch()
      }, 90_000)
      afterAll(async () => {
        await session?.close()
      }, 30_000)
      define((context) => {
        if (why !== undefined) {
          if (requireAllEngines) throw new Error(`REQUIRE_ALL_ENGINES=1 but ${why}`)
          context.skip(why)
        }
        if (session === undefined) throw new Error(`${engine.name} did not start`)
        return session
      })
    })
  })
}
