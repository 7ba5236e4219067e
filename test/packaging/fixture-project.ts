/**
 * Fixture projects that install the packed tarball as users get it: `npm pack` of the build,
 * then `npm install` in a temp project with the manifest a test writes. The install reaches the
 * npm registry only for what npm's cache lacks (`--prefer-offline`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from './run.js'

/** The repository's root. */
export const repo = fileURLToPath(new URL('../../', import.meta.url))

/** Packs the build into `destination` (run after `npm run build`); returns the tarball's path. */
export async function packTarball(destination: string): Promise<string> {
  for (const file of ['node.js', 'node.cjs', 'index.d.ts']) {
    if (!existsSync(join(repo, 'dist', file)))
      throw new Error(`dist/${file} is missing: run \`npm run build\` first`)
  }
  // No lifecycle scripts: a `prepack` build would rewrite dist/ under the other test files.
  const pack = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
    { cwd: repo },
  )
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`)
  const [packed] = JSON.parse(pack.stdout) as { filename: string }[]
  return join(destination, (packed as { filename: string }).filename)
}

/** Writes `manifest` as `directory`/package.json and installs it; returns npm's time in ms. */
export async function installProject(directory: string, manifest: object): Promise<number> {
  mkdirSync(directory, { recursive: true })
  writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest, null, 2))
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: directory, timeout: 180_000 },
  )
  if (install.code !== 0 || install.timedOut)
    throw new Error(`npm install in the fixture project failed:\n${install.stderr}`)
  return install.ms
}

/** Node's types only: the repository's @types/node, so a fixture project installs no second copy. */
export const nodeTypes = { types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')] }

/**
 * Type-checks `files` in `project` with a tsconfig written for the case: strict settings, our
 * declarations checked (TypeScript's own lib files need not be), then `options`. Returns tsc's
 * diagnostics.
 */
export async function typecheck(
  project: string,
  name: string,
  options: Record<string, unknown>,
  files: string[],
): Promise<string[]> {
  const config = join(project, `tsconfig.${name}.json`)
  const compilerOptions = {
    target: 'ES2022',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    noEmit: true,
    ...options,
  }
  writeFileSync(config, JSON.stringify({ compilerOptions, files }, null, 2))
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
    cwd: project,
    timeout: 60_000,
  })
  const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'))
  if (result.timedOut || (result.code !== 0 && errors.length === 0))
    throw new Error(`tsc ${name} did not finish (exit ${result.code}):\n${result.stdout}`)
  console.log(`tsc ${name}: ${errors.length === 0 ? 'no errors' : `\n${errors.join('\n')}`}`)
  return errors
}
