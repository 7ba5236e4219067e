/**
 * Smoke test of the build on other JavaScript runtimes: Bun and Deno, fetched from the npm
 * registry (`npx -y bun@1`, `npx -y deno@2`: their packages ship the platform binaries through
 * optional dependencies). Each imports the built library (the neutral build, the Node build, and
 * the package by name as a consumer would), receives an event, loses the stream, reconnects after
 * the server's `retry:` with `Last-Event-ID`, and receives the next one, from a loopback server
 * this test runs, then closes and must exit by itself. Node runs the same script as a control.
 *
 * A runtime that cannot be had here is skipped, with the reason printed, unless
 * `REQUIRE_RUNTIMES=1` (then its test fails). CI fetches both before the tests (.ci/run).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'
import { cleanEnv, lastJsonLine, run } from './packaging/run.js'

const required = process.env['REQUIRE_RUNTIMES'] === '1'
const root = new URL('../', import.meta.url)

/** What a runtime imports: a build by its file URL, or the package by name. */
interface Entry {
  readonly label: string
  readonly specifier: string
  /** The built file the specifier must resolve to. */
  readonly resolves: string
  /** Extra command-line flags (Deno permissions). */
  readonly flags?: readonly string[]
}

interface Runtime {
  readonly name: string
  /** The binary and its version, or why there is none. */
  readonly found: { bin: string; version: string } | { reason: string }
  readonly entries: readonly Entry[]
  /** The command line running `script` on `entry` against `url`. */
  readonly command: (bin: string, script: string, entry: Entry, url: string) => string[]
  readonly env: Record<string, string>
}

const dist = (name: string): Entry => ({
  label: `dist/${name}`,
  specifier: new URL(`dist/${name}`, root).href,
  resolves: `dist/${name}`,
})
const byName = (resolves: string, flags: readonly string[] = []): Entry => ({
  label: 'the package by name',
  specifier: 'isomorphic-eventsource',
  resolves,
  flags,
})

const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, Record<string, unknown>>
}
/**
 * Deno matches the `node` export condition, so by name it gets the Node build, which reads the
 * environment (our `HTTP(S)_PROXY` check, and undici's own): without `--allow-env` the
 * constructor throws NotCapable, and with `proxy: false` every fetch fails the same way. A `deno`
 * condition ahead of `node`, pointing at the neutral build, makes a plain `--allow-net` run work;
 * once the package has one, this test runs without `--allow-env` and expects that build.
 */
const denoCondition = packageJson.exports['.']?.['deno'] !== undefined

/**
 * Asks npx for the runtime's package and has the runtime print its own path and version, so the
 * tests run the binary directly. The first fetch downloads ~100 MB; later ones hit npm's cache.
 */
async function probe(spec: string, evalArgs: string[]): Promise<Runtime['found']> {
  try {
    const result = await run('npx', ['-y', '--prefer-offline', spec, ...evalArgs], {
      cwd: tmpdir(),
      timeout: 240_000,
    })
    if (result.code === 0) return lastJsonLine(result.stdout) as { bin: string; version: string }
    const said = `${result.stderr}\n${result.stdout}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes('Unknown user config'))
      .slice(0, 4)
      .join(' | ')
    const timedOut = result.timedOut ? ' (timed out)' : ''
    return { reason: `\`npx -y ${spec}\` exited ${result.code}${timedOut}: ${said}` }
  } catch (error) {
    return { reason: `\`npx -y ${spec}\` could not start: ${String(error)}` }
  }
}

const [bun, deno] = await Promise.all([
  probe('bun@1', [
    '-e',
    "console.log(JSON.stringify({ bin: process.execPath, version: Bun.version + ' (' + Bun.revision.slice(0, 9) + ')' }))",
  ]),
  probe('deno@2', [
    'eval',
    'console.log(JSON.stringify({ bin: Deno.execPath(), version: Deno.version.deno }))',
  ]),
])

const runtimes: Runtime[] = [
  {
    name: 'Node (control)',
    found: { bin: process.execPath, version: process.version },
    entries: [dist('index.js'), dist('node.js'), byName('dist/node.js')],
    command: (bin, script, entry, url) => [bin, script, entry.specifier, url],
    env: {},
  },
  {
    name: 'Bun',
    found: bun,
    // By name Bun takes the `node` condition; it substitutes its own `undici` module for the one
    // the Node build imports.
    entries: [dist('index.js'), dist('node.js'), byName('dist/node.js')],
    command: (bin, script, entry, url) => [bin, 'run', script, entry.specifier, url],
    env: { DO_NOT_TRACK: '1' },
  },
  {
    name: 'Deno',
    found: deno,
    entries: [
      dist('index.js'),
      { ...dist('node.js'), flags: ['--allow-env'] },
      denoCondition ? byName('dist/index.js') : byName('dist/node.js', ['--allow-env']),
    ],
    // Loopback only; reading the package (through the consumer's node_modules link) is needed.
    command: (bin, script, entry, url) => [
      bin,
      'run',
      '--no-prompt',
      '--allow-net=127.0.0.1',
      `--allow-read=${fileURLToPath(root)},${join(script, '..')}`,
      ...(entry.flags ?? []),
      script,
      entry.specifier,
      url,
    ],
    env: { DENO_NO_UPDATE_CHECK: '1' },
  },
]

for (const runtime of runtimes) {
  if ('reason' in runtime.found) {
    const skipped = required ? 'REQUIRE_RUNTIMES=1, so its tests fail' : 'its tests are skipped'
    console.log(`runtimes: ${runtime.name} unavailable, ${skipped}: ${runtime.found.reason}`)
  } else {
    console.log(`runtimes: ${runtime.name} ${runtime.found.version} at ${runtime.found.bin}`)
  }
}

let server: FixtureServer
let consumer: string
let script: string

beforeAll(async () => {
  server = await FixtureServer.start()
  // A consumer project outside the repository (whose tsconfig `paths` Bun would apply): the
  // script, and the package linked into node_modules as an install would put it. Deno resolves
  // bare names from node_modules only for dependencies a package.json declares.
  consumer = mkdtempSync(join(tmpdir(), 'ies-runtimes-'))
  const manifest = {
    name: 'runtimes-consumer',
    private: true,
    type: 'module',
    dependencies: { 'isomorphic-eventsource': `file:${fileURLToPath(root)}` },
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify(manifest, null, 2))
  mkdirSync(join(consumer, 'node_modules'))
  symlinkSync(fileURLToPath(root), join(consumer, 'node_modules', 'isomorphic-eventsource'), 'dir')
  script = join(consumer, 'runtime-client.mjs')
  copyFileSync(new URL('./packaging/runtime-client.mjs', import.meta.url), script)
})

afterAll(async () => {
  await server?.close()
  if (consumer !== undefined) rmSync(consumer, { recursive: true, force: true })
})

for (const runtime of runtimes) {
  const available = !('reason' in runtime.found)
  describe(runtime.name, () => {
    for (const entry of runtime.entries) {
      const flags = entry.flags?.length ? ` (${entry.flags.join(' ')})` : ''
      // Skipped (the reason is printed above) when the runtime could not be fetched, unless
      // REQUIRE_RUNTIMES=1.
      test.skipIf(!available && !required)(
        `${entry.label}${flags} receives events, reconnects after retry: with Last-Event-ID, and lets the process exit`,
        async () => {
          if ('reason' in runtime.found) throw new Error(runtime.found.reason)
          const route = server.route(
            (_request, attempt) =>
              attempt === 0
                ? { body: ['retry: 10\nid: 1\ndata: first\n\n'] }
                : { body: ['id: 2\ndata: second\n\n'], finish: 'hang' },
            `${runtime.name}-${entry.label}`,
          )
          const [bin, ...args] = runtime.command(runtime.found.bin, script, entry, route.url)
          const result = await run(bin as string, args, {
            cwd: consumer,
            timeout: 20_000,
            env: cleanEnv(runtime.env),
          })
          const context = `${runtime.name} ${runtime.found.version}, exit ${result.code}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`
          expect(result.timedOut, `${context}\nstill running after 20 s`).toBe(false)
          expect(result.code, context).toBe(0)
          const origin = server.origin
          expect(lastJsonLine(result.stdout), context).toEqual({
            runtime: expect.stringMatching(new RegExp(`^${runtime.name.split(' ')[0]}`, 'i')),
            // Through the link or the real path, the same built file.
            resolved: expect.stringMatching(new RegExp(`/${entry.resolves.replace('.', '\\.')}$`)),
            outcome: 'done, lastEventId 2',
            isomorphic: true,
            url: route.url,
            log: [
              'constructed 0',
              'open 1',
              `message first id=1 origin=${origin}`,
              'error 0',
              'open 1',
              `message second id=2 origin=${origin}`,
              'closed 2',
            ],
          })
          expect(route.requests.map((request) => request.lastEventId)).toEqual([undefined, '1'])
          expect(route.requests.map((request) => request.headers['accept'])).toEqual([
            'text/event-stream',
            'text/event-stream',
          ])
          const [first, second] = route.requests
          // `retry: 10` was honoured: far sooner than the default 3 s.
          expect((second?.at ?? Number.POSITIVE_INFINITY) - (first?.at ?? 0)).toBeLessThan(2000)
          const { resolved } = lastJsonLine(result.stdout) as { resolved: string }
          console.log(
            `runtimes: ${runtime.name} ${runtime.found.version}, ${entry.label}${flags} (${resolved}): ok in ${result.ms} ms`,
          )
        },
        30_000,
      )
    }
  })
}
