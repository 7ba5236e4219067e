/**
 * The package as users get it (run after `npm run build`): `npm pack` ships only what they need;
 * publint and "are the types wrong" find nothing; and a consumer project that installed the
 * tarball imports it from ESM and from CommonJS, loads the polyfill entry, receives an event in
 * each, type-checks a TypeScript file under node16 and bundler resolution, and runs the bin.
 *
 * The consumer's files are templates in test/packaging/, copied into a temp directory. The
 * install reaches the npm registry only for what npm's cache lacks (`--prefer-offline`).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, type ExpectStatic, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'
import { nodeTypes, typecheck } from './packaging/fixture-project.js'
import { lastJsonLine, run } from './packaging/run.js'

const repo = fileURLToPath(new URL('../', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`./packaging/${name}`, import.meta.url))
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string
  version: string
  main?: string
  module?: string
  types?: string
  bin?: Record<string, string>
  exports: Record<string, unknown>
}

/**
 * What the tarball may hold: the built code and declarations at the top of dist/ (no source
 * maps), and npm's own README, LICENSE, CHANGELOG and manifest. No src/, tests or fixtures.
 */
const shippable = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^dist\/[\w.-]+\.(js|cjs|mjs|d\.ts|d\.cts|d\.mts)$/,
]

interface PackResult {
  filename: string
  size: number
  unpackedSize: number
  files: { path: string; size: number; mode: number }[]
}

let work: string
let project: string
let packed: PackResult
let server: FixtureServer

beforeAll(async () => {
  for (const file of ['index.js', 'node.js', 'node.cjs', 'index.d.ts', 'polyfill.js']) {
    if (!existsSync(join(repo, 'dist', file)))
      throw new Error(`dist/${file} is missing: run \`npm run build\` first`)
  }
  work = mkdtempSync(join(tmpdir(), 'ies-package-'))
  // No lifecycle scripts: a `prepack` build would rewrite dist/ under the other test files.
  const pack = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    {
      cwd: repo,
    },
  )
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`)
  packed = (JSON.parse(pack.stdout) as PackResult[])[0] as PackResult

  project = join(work, 'consumer')
  mkdirSync(project)
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
  )
  for (const name of ['esm.mjs', 'cjs.cjs', 'polyfill.mjs', 'polyfill.cjs', 'standard.mjs'])
    copyFileSync(fixture(name), join(project, name))
  for (const name of ['consumer.mts', 'consumer.cts', 'consumer.ts'])
    copyFileSync(fixture('consumer.ts'), join(project, name))
  const install = await run(
    'npm',
    [
      'install',
      join(work, packed.filename),
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ],
    { cwd: project, timeout: 120_000 },
  )
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`)
  server = await FixtureServer.start()
}, 180_000)

afterAll(async () => {
  await server?.close()
  if (work !== undefined && process.env['KEEP_PACKAGE_TEST'] !== '1')
    rmSync(work, { recursive: true, force: true })
})

describe('the tarball', () => {
  test('ships only the built files, the README, the license and the manifest', () => {
    const width = Math.max(...packed.files.map((file) => file.path.length))
    const lines = packed.files.map(
      (file) => `  ${file.path.padEnd(width)}  ${String(file.size).padStart(7)} B`,
    )
    console.log(
      `package: ${packed.filename}, ${packed.files.length} files, ${packed.size} B packed, ${packed.unpackedSize} B unpacked\n${lines.join('\n')}`,
    )
    const paths = packed.files.map((file) => file.path)
    expect(paths.filter((path) => !shippable.some((pattern) => pattern.test(path)))).toEqual([])
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']))
    if (existsSync(join(repo, 'CHANGELOG.md')) && !paths.includes('CHANGELOG.md'))
      console.log('package: CHANGELOG.md is not shipped (npm adds it only when `files` names it)')

    // Every file the manifest points at is in it, and the bin is executable.
    const targets = new Set<string>()
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''))
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
    }
    collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin])
    expect([...targets].filter((target) => !paths.includes(target))).toEqual([])
    for (const bin of Object.values(manifest.bin ?? {})) {
      const file = packed.files.find((candidate) => candidate.path === bin.replace(/^\.\//, ''))
      expect(file?.mode ?? 0, `${bin} is executable`).toSatisfy(
        (mode: number) => (mode & 0o111) !== 0,
      )
      expect(readFileSync(join(repo, bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    }
  })

  test('publint finds nothing to fix, even in strict mode', async () => {
    const tarball = readFileSync(join(work, packed.filename))
    const { messages, pkg } = await publint({
      pack: { tarball: new Uint8Array(tarball).buffer },
      level: 'suggestion',
      strict: true,
    })
    const said = messages.map(
      (message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`,
    )
    console.log(`publint: ${said.length === 0 ? 'all good' : said.join('\n')}`)
    expect(said.filter((line) => !line.startsWith('suggestion:'))).toEqual([])
  })

  test('are the types wrong finds no problem for any entry point but the known ones', async () => {
    // The script bundles' subpaths (`./legacy`, `./standard/legacy`) are `<script>` files, not
    // modules: no module system loads them by resolution, so the module checks do not apply.
    const scripts = ['./legacy', './standard/legacy']
    const attw = await run(
      join(repo, 'node_modules', '.bin', 'attw'),
      [join(work, packed.filename), '--format', 'json', '--exclude-entrypoints', ...scripts],
      { cwd: work },
    )
    if (!attw.stdout.trim().startsWith('{'))
      throw new Error(`attw did not report (exit ${attw.code}):\n${attw.stdout}${attw.stderr}`)
    const { analysis } = JSON.parse(attw.stdout) as {
      analysis: {
        entrypoints: Record<
          string,
          { resolutions: Record<string, { resolution?: { fileName: string } }> }
        >
        problems: { kind: string; entrypoint?: string; resolutionKind?: string }[]
      }
    }
    const rows = Object.entries(analysis.entrypoints).map(([entrypoint, { resolutions }]) => {
      const cells = Object.entries(resolutions).map(([kind, { resolution }]) => {
        const problems = analysis.problems.filter(
          (problem) => problem.entrypoint === entrypoint && problem.resolutionKind === kind,
        )
        const outcome = problems.length
          ? problems.map((problem) => problem.kind).join('+')
          : (resolution?.fileName.replace(/^.*\/isomorphic-eventsource\//, '') ?? 'ok')
        return `${kind}: ${outcome}`
      })
      return `  ${entrypoint.padEnd(15)} ${cells.join(' | ')}`
    })
    console.log(`attw (exit ${attw.code}):\n${rows.join('\n')}`)
    const problems = analysis.problems.map(({ kind, entrypoint, resolutionKind }) => ({
      kind,
      entrypoint,
      resolutionKind,
    }))
    expect(problems).toEqual([])
    expect(Object.keys(analysis.entrypoints)).toEqual([
      '.',
      './polyfill',
      './standard',
      './package.json',
    ])
    expect(scripts.every((subpath) => subpath in manifest.exports)).toBe(true)
  })
})

describe('a consumer project that installed the tarball', () => {
  interface Seen {
    entry: string
    states: (number | string)[]
    data: string
    lastEventId: string
    origin: string
    isomorphic: boolean
    before?: string
    sameClass?: boolean
  }

  /** Runs a consumer script against a fresh route; `expect` is the concurrent test's own. */
  async function receive(script: string, expect: ExpectStatic): Promise<Seen> {
    const route = server.route(() => ({ body: ['id: 7\ndata: hello\n\n'], finish: 'hang' }), script)
    const result = await run(process.execPath, [script, route.url], {
      cwd: project,
      timeout: 15_000,
    })
    expect(result.timedOut, `${script} still running after close()`).toBe(false)
    expect(result.code, result.stderr).toBe(0)
    expect(route.requests).toHaveLength(1)
    return lastJsonLine(result.stdout) as Seen
  }

  /** The installed package's built file (a path, or a file URL from ESM). */
  const installed = (file: string) =>
    expect.stringMatching(
      new RegExp(`/node_modules/isomorphic-eventsource/dist/${file.replace('.', '\\.')}$`),
    )

  /** What every script sees: the source opens, gets the event, and closes. */
  const received = (origin: string) => ({
    states: [0, 1, 2],
    data: 'hello',
    lastEventId: '7',
    origin,
  })

  // Each script runs in its own process, side by side.
  describe.concurrent('in Node', () => {
    test('ESM imports the Node build by name and receives an event', async ({ expect }) => {
      expect(await receive('esm.mjs', expect)).toEqual({
        entry: installed('node.js'),
        ...received(server.origin),
        isomorphic: true,
      })
    })

    test('CommonJS requires the Node build by name and receives an event', async ({ expect }) => {
      expect(await receive('cjs.cjs', expect)).toEqual({
        entry: installed('node.cjs'),
        ...received(server.origin),
        isomorphic: true,
      })
    })

    test('ESM imports the W3C-only tier by name and receives an event', async ({ expect }) => {
      expect(await receive('standard.mjs', expect)).toEqual({
        entry: installed('standard.js'),
        ...received(server.origin),
        isomorphic: true,
        supportedOptions: { withCredentials: true },
      })
    })

    for (const [script, file] of [
      ['polyfill.mjs', 'polyfill.js'],
      ['polyfill.cjs', 'polyfill.cjs'],
    ] as const) {
      test(`the polyfill entry installs the main entry's class as the global (${script})`, async ({
        expect,
      }) => {
        const seen = await receive(script, expect)
        // Node has no EventSource of its own (yet); where it has one, the polyfill keeps it.
        const nodeHadOne = seen.before !== 'undefined'
        if (nodeHadOne) console.log('package: this Node has a global EventSource; it was kept')
        expect(seen).toEqual({
          entry: installed(file),
          before: seen.before,
          sameClass: !nodeHadOne,
          ...received(server.origin),
          isomorphic: !nodeHadOne,
        })
      })
    }
  })

  // Each tsc runs in its own process, side by side.
  describe.concurrent('in TypeScript', { timeout: 60_000 }, () => {
    test('a node16 consumer type-checks, from ESM and from CommonJS, with Node types', async ({
      expect,
    }) => {
      // No DOM lib: the declarations must compile with Node's types alone.
      const lib = ['ES2022']
      const errors = await typecheck(
        project,
        'node16',
        { module: 'node16', moduleResolution: 'node16', lib, ...nodeTypes },
        ['consumer.mts', 'consumer.cts'],
      )
      expect(errors).toEqual([])
    })

    test('a bundler consumer type-checks with the DOM lib and no Node types', async ({
      expect,
    }) => {
      const errors = await typecheck(
        project,
        'bundler',
        {
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: [],
        },
        ['consumer.ts'],
      )
      expect(errors).toEqual([])
    })
  })

  test('the bin runs, through npx and from node_modules/.bin', async () => {
    const [name] = Object.keys(manifest.bin ?? {})
    expect(name).toBe('isomorphic-eventsource')
    const bin = name as string
    const version = await run('npx', ['--no', '--', bin, '--version'], { cwd: project })
    const help = await run(join(project, 'node_modules', '.bin', bin), ['--help'], {
      cwd: project,
    })
    const firstLines = help.stdout.trim().split('\n').slice(0, 3).join('\n')
    console.log(`bin --version (exit ${version.code}): ${version.stdout.trim()}`)
    console.log(`bin --help (exit ${help.code}):\n${firstLines}`)
    expect(version.code, version.stderr).toBe(0)
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^Usage: isomorphic-eventsource \[options\] URL\n/)
    // Once the CLI prints a version, it must be the package's.
    const printed = /\b\d+\.\d+\.\d+\S*/.exec(version.stdout)?.[0]
    if (printed !== undefined) expect(printed).toBe(manifest.version)
  })
})
