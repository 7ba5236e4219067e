/**
 * Runs the shared conformance suite (test/conformance) in one engine and one mode, and registers
 * one vitest test per case. Cases run in the page a few at a time (start, then poll for the
 * outcome), which works the same under CDP, BiDi and classic WebDriver.
 *
 * Modes:
 * - `native`: the browser's own EventSource (browser-test/page.ts);
 * - `ours`: our ESM build installed as `window.EventSource` (browser-test/page.ts);
 * - `standard`: the W3C-only ESM build (isomorphic-eventsource/standard) installed so;
 * - `legacy`: the "old-browser" page: its first inline script deletes the modern APIs, then it
 *   loads dist/eventsource.legacy.min.js with a `<script>` tag (legacy-page.ts runs the cases);
 * - `standard-legacy`: the same page with the W3C-only bundle,
 *   dist/eventsource.standard.legacy.min.js.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ConformanceCase, cases } from '../../test/conformance/cases.js'
import { type Difference, expectedOutcome } from '../../test/conformance/difference.js'
import { extensionCases } from '../../test/conformance/extension-cases.js'
import { prepareCase } from '../../test/conformance/prepare.js'
import { FixtureServer } from '../../test/fixture-server.js'
import type { Engine, EngineName, EngineSession } from './types.js'

export type Mode = 'native' | 'ours' | 'standard' | 'legacy' | 'standard-legacy'

/**
 * Known differences from the expected (native, per-spec) result: case name → "engine/mode" →
 * why, and exactly what it gives instead. The runner requires that exact outcome, so a fix, or a
 * second deviation in the same case, shows up as a failure.
 */
export type Exceptions = Readonly<
  Record<string, Readonly<Partial<Record<`${EngineName}/${Mode}`, Difference>>>>
>

/** What the old-browser page deletes before the legacy bundle loads. */
export const strippedGlobals = [
  'EventSource',
  'fetch',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextDecoder',
  'TextEncoder',
  'AbortController',
  'AbortSignal',
  'Request',
  'Response',
  'Headers',
] as const

/**
 * The old-browser page's first script: deletes {@link strippedGlobals}, and leaves in
 * `window.__notStripped` the names the engine would not delete.
 */
export const stripGlobalsScript = `<script>(function () {
  var names = ${JSON.stringify(strippedGlobals)}, left = [];
  for (var i = 0; i < names.length; i++) {
    try { delete window[names[i]]; } catch (e) {}
    if (typeof window[names[i]] !== 'undefined') left.push(names[i]);
  }
  window.__notStripped = left;
})();</script>`

/** Cases each mode runs: the native class and the W3C-only tier have none of our options. */
export function casesFor(mode: Mode): readonly ConformanceCase[] {
  return mode === 'ours' || mode === 'legacy' ? [...cases, ...extensionCases] : cases
}

/** Whether `REQUIRE_ALL_ENGINES=1` (CI): a missing engine is then a failure, not a skip. */
export const requireAllEngines = process.env['REQUIRE_ALL_ENGINES'] === '1'

// Records page errors from the first script on, so a bundle that fails to load says why.
const errorCatcher = `<script>window.__errors = []; window.addEventListener('error', function (e) { window.__errors.push(String(e.message) + ' at ' + e.filename + ':' + e.lineno); });</script>`

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

async function bundle(entry: string, target: string): Promise<string> {
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    format: 'iife',
    target,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

/** The two origins and the pages, served by `main`. */
export interface Fixture {
  readonly main: FixtureServer
  readonly other: FixtureServer
  readonly pages: Partial<Record<Mode, string>>
  close(): Promise<void>
}

/** Starts the servers and serves the pages the given modes need. */
export async function startFixture(modes: readonly Mode[]): Promise<Fixture> {
  const main = await FixtureServer.start()
  const other = await FixtureServer.start()
  const pages: Partial<Record<Mode, string>> = {}
  if (modes.includes('native') || modes.includes('ours') || modes.includes('standard')) {
    // The page of browser-test/conformance.test.ts: runCase(name, mode, url).
    main.serve('/page.js', 'text/javascript', await bundle('../page.ts', 'es2022'))
    const url = main.serve(
      '/',
      'text/html',
      `<!doctype html><meta charset="utf-8">${errorCatcher}<script src="/page.js"></script>`,
    )
    pages.native = url
    pages.ours = url
    pages.standard = url
  }
  const legacyModes = [
    ['legacy', 'eventsource.legacy.min.js'],
    ['standard-legacy', 'eventsource.standard.legacy.min.js'],
  ] as const
  for (const [mode, file] of legacyModes) {
    if (!modes.includes(mode)) continue
    const legacyFile = here(`../../dist/${file}`)
    if (!existsSync(legacyFile)) {
      throw new Error(`${legacyFile} is missing: run \`npm run build\` (tsup && rollup -c) first.`)
    }
    main.serve(`/${file}`, 'text/javascript', readFileSync(legacyFile, 'utf8'))
    main.serve('/legacy-runner.js', 'text/javascript', await bundle('./legacy-page.ts', 'es2015'))
    const info = `<script>window.__info = { notStripped: window.__notStripped, installed: typeof window.IsomorphicEventSource === 'function' && window.EventSource === window.IsomorphicEventSource };</script>`
    pages[mode] = main.serve(
      `/${mode}.html`,
      'text/html',
      `<!doctype html><meta charset="utf-8">${errorCatcher}${stripGlobalsScript}<script src="/${file}"></script><script src="/legacy-runner.js"></script>${info}`,
    )
  }
  return {
    main,
    other,
    pages,
    async close() {
      await main.close()
      await other.close()
    },
  }
}

/** One case's result as the page reported it, with what the server saw. */
export interface Outcome {
  readonly result?: unknown
  readonly requests?: unknown
  readonly error?: string
}

// `undefined` survives the trip through JSON (arrays and results may hold it).
const UNDEFINED = '\u0000undefined'
const revive = (_key: string, value: unknown) => (value === UNDEFINED ? undefined : value)

const installRunner = `(function () {
  var outcomes = window.__outcomes = {};
  window.__start = function (id, name, mode, url) {
    Promise.resolve().then(function () { return window.runCase(name, mode, url); }).then(
      function (value) {
        outcomes[id] = { value: JSON.stringify(value, function (k, v) { return v === undefined ? ${JSON.stringify(UNDEFINED)} : v; }) };
      },
      function (error) { outcomes[id] = { error: String((error && error.stack) || error) }; }
    );
  };
  return 'ok';
})()`

const poll = `(function () {
  var outcomes = window.__outcomes, done = {};
  for (var id in outcomes) { done[id] = outcomes[id]; delete outcomes[id]; }
  return JSON.stringify(done);
})()`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Loads `url` and waits until the page defines `runCase`; returns the page's `__info`. */
async function openPage(session: EngineSession, url: string): Promise<unknown> {
  await session.goto(url)
  const deadline = Date.now() + 15_000
  for (;;) {
    const state = JSON.parse(
      await session.evaluate(
        `JSON.stringify({ ready: typeof window.runCase === 'function', errors: window.__errors || [], info: window.__info || null })`,
      ),
    ) as { ready: boolean; errors: string[]; info: unknown }
    if (state.ready) {
      if (state.errors.length > 0) throw new Error(`page errors: ${state.errors.join('; ')}`)
      await session.evaluate(installRunner)
      return state.info
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the page never defined runCase; errors: ${state.errors.join('; ') || 'none'}`,
      )
    }
    await sleep(100)
  }
}

export interface RunOptions {
  readonly mode: Mode
  readonly cases: readonly ConformanceCase[]
  /**
   * Cases in flight at once. Browsers keep at most 6 connections per host, and a streaming
   * response holds one; 5 is also vitest's default concurrency, which the Chromium suite uses.
   */
  readonly concurrency?: number
  /** A case with no outcome after this long is recorded as failed. */
  readonly caseTimeout?: number
}

/** Runs cases in the page, `concurrency` at a time; returns each case's outcome by name. */
export async function runCases(
  session: EngineSession,
  fixture: Fixture,
  options: RunOptions,
): Promise<{ outcomes: Map<string, Outcome>; info: unknown }> {
  const pageUrl = fixture.pages[options.mode]
  if (pageUrl === undefined) throw new Error(`no page for mode ${options.mode}`)
  const info = await openPage(session, pageUrl)
  const concurrency = options.concurrency ?? 5
  const caseTimeout = options.caseTimeout ?? 20_000
  const outcomes = new Map<string, Outcome>()
  const queue = [...options.cases]
  const running = new Map<
    string,
    { testCase: ConformanceCase; requests: () => unknown; started: number }
  >()
  let nextId = 0
  while (queue.length > 0 || running.size > 0) {
    while (running.size < concurrency && queue.length > 0) {
      const testCase = queue.shift() as ConformanceCase
      const prepared = prepareCase(testCase, fixture.main, fixture.other)
      const id = String(nextId++)
      running.set(id, { testCase, requests: () => prepared.requests(), started: Date.now() })
      const args = [id, testCase.name, options.mode, prepared.url].map((a) => JSON.stringify(a))
      await session.evaluate(`(window.__start(${args.join(', ')}), 'started')`)
    }
    await sleep(40)
    const done = JSON.parse(await session.evaluate(poll)) as Record<
      string,
      { value?: string; error?: string }
    >
    for (const [id, reported] of Object.entries(done)) {
      const entry = running.get(id)
      if (entry === undefined) continue
      running.delete(id)
      outcomes.set(
        entry.testCase.name,
        reported.error !== undefined
          ? { error: reported.error }
          : {
              result: JSON.parse(reported.value ?? 'null', revive),
              requests: entry.testCase.requests ? entry.requests() : undefined,
            },
      )
    }
    for (const [id, entry] of running) {
      if (Date.now() - entry.started > caseTimeout) {
        running.delete(id)
        outcomes.set(entry.testCase.name, { error: `no outcome after ${caseTimeout} ms` })
      }
    }
  }
  return { outcomes, info }
}

/** The known difference of this case in this engine and mode, if there is one. */
export function differenceFor(
  testCase: ConformanceCase,
  engine: EngineName,
  mode: Mode,
  exceptions: Exceptions,
): Difference | undefined {
  return (
    exceptions[testCase.name]?.[`${engine}/${mode}`] ??
    (mode === 'native' ? undefined : testCase.oursDiffers) ??
    (mode === 'native' && engine === 'chromium' ? testCase.chromiumDiffers : undefined)
  )
}

/** Compares an outcome with the case's expectations, patched by a known difference if any. */
export function judge(testCase: ConformanceCase, outcome: Outcome, difference?: Difference): void {
  if (outcome.error !== undefined) throw new Error(`the case threw in the page: ${outcome.error}`)
  const expected = expectedOutcome(testCase, difference)
  const why = difference && `a known difference: ${difference.why}`
  expect(outcome.result, why).toEqual(expected.result)
  if (testCase.requests) expect(outcome.requests, why).toEqual(expected.requests)
}

export interface EngineSuiteOptions {
  readonly engine: Engine
  /** Why the engine cannot run here (from `engine.available()`), or undefined. */
  readonly missing: string | undefined
  readonly modes: readonly Mode[]
  readonly exceptions: Exceptions
  /** The file's servers and pages (started in its beforeAll). */
  readonly fixture: () => Fixture
  /** Checks the page reported when it loaded (the old-browser page's self-check). */
  readonly checkPage?: (info: unknown, mode: Mode) => void
}

/**
 * Registers, for one engine: a test that it is installed (failing under REQUIRE_ALL_ENGINES=1,
 * skipped with a printed reason otherwise), and per mode one test per case. Prints per mode
 * "N passed, N failed".
 */
export function defineEngineSuite(options: EngineSuiteOptions): void {
  const { engine, missing, modes, exceptions } = options
  describe(engine.name, () => {
    test(`${engine.name} is installed`, (context) => {
      if (missing === undefined) return
      if (requireAllEngines) throw new Error(`REQUIRE_ALL_ENGINES=1 but ${missing}`)
      context.skip(missing)
    })
    if (missing !== undefined) {
      console.log(
        `[engines] ${engine.name}: ${requireAllEngines ? 'MISSING, failing (REQUIRE_ALL_ENGINES=1)' : 'skipped, not installed'}: ${missing}`,
      )
      return
    }

    let session: EngineSession | undefined
    beforeAll(async () => {
      session = await engine.launch()
    }, 90_000)
    afterAll(async () => {
      await session?.close()
    }, 30_000)

    for (const mode of modes) {
      describe(mode, () => {
        const list = casesFor(mode)
        let outcomes: Map<string, Outcome> | undefined
        let info: unknown
        let started = 0
        const tally = { passed: 0, failed: 0 }
        beforeAll(async () => {
          if (session === undefined) throw new Error(`${engine.name} did not start`)
          started = Date.now()
          ;({ outcomes, info } = await runCases(session, options.fixture(), { mode, cases: list }))
        }, 170_000)
        afterAll(() => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1)
          console.log(
            `[engines] ${session?.version ?? engine.name} (${engine.name}), mode ${mode}: ${tally.passed} passed, ${tally.failed} failed (${seconds} s)`,
          )
        })
        if (options.checkPage !== undefined) {
          const check = options.checkPage
          test(`the ${mode} page is set up as intended`, () => {
            try {
              check(info, mode)
              tally.passed++
            } catch (error) {
              tally.failed++
              throw error
            }
          })
        }
        for (const testCase of list) {
          test(testCase.name, () => {
            try {
              const outcome = outcomes?.get(testCase.name)
              if (outcome === undefined) throw new Error('the case did not run')
              judge(testCase, outcome, differenceFor(testCase, engine.name, mode, exceptions))
              tally.passed++
            } catch (error) {
              tally.failed++
              throw error
            }
          })
        }
      })
    }
  })
}
