/**
 * Where the figures come from: they only mean something next to the machine, the Node version,
 * the client versions and how busy the machine was (load average at start and end of the run).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import os from 'node:os'

const root = new URL('../../', import.meta.url)

export function machineInfo() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    bundledUndici: process.versions.undici ?? 'unknown',
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  }
}

/** The version of an installed package (`'.'`: this repository, with its commit when known). */
export function packageVersion(name) {
  if (name === null) return `node ${process.version}`
  if (name === '.') {
    const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
    return `${version} (${gitCommit()})`
  }
  const path = new URL(`node_modules/${name}/package.json`, root)
  return JSON.parse(readFileSync(path, 'utf8')).version
}

/** Read-only: `git rev-parse`, to tie a saved result to the code it measured. */
function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: new URL('.', root),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'no git'
  }
}

/**
 * The soft limit on open files, from /proc (Linux); Infinity when unknown. Each idle connection
 * is one descriptor in the client process and one in the server process.
 */
export function openFileLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft)
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

/**
 * Which build of ours was measured: dist/ is shared by everyone working in the repository and
 * rebuilt by `npm test`, so the commit alone does not say what ran.
 */
export function buildInfo() {
  const dist = new URL('dist/node.js', root)
  try {
    const hash = createHash('sha256').update(readFileSync(dist)).digest('hex').slice(0, 12)
    const built = statSync(dist).mtime.toISOString()
    let dirty = ''
    try {
      dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
        cwd: new URL('.', root),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
    } catch {}
    const state =
      dirty === '' ? 'src/ clean at that commit' : 'src/ had uncommitted changes when measured'
    return `dist/node.js built ${built}, sha256 ${hash}; ${state}`
  } catch {
    return 'dist/node.js missing: run `npm run build`'
  }
}
