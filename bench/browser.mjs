#!/usr/bin/env node
/**
 * The browser benchmark: `node bench/browser.mjs [--quick] [--json] [--reps N]`, or through
 * `node bench/run.mjs --browser`, which adds its tables to the Node report.
 *
 * For finding where the time goes (bench/README.md, "Browser profiling"):
 * - `--floor`: adds a fetch-body reader that builds no events, the floor for fetch-based clients;
 * - `--probe`: also reports when the latency run's bytes reached JS (TextDecoder), per client;
 * - `--only throughput|latency`: runs one half (the other reports zeros);
 * - `--prof`: V8 tick logs in bench/results/prof/<client>-<round>/, read by browser/ticks.mjs;
 * - `--js-flags "<flags>"`: V8 flags for the page, e.g. `--no-turbo-inlining` with `--prof`;
 * - `--micro`: ns per operation of single steps (MessageEvent construction, dispatch, decoding).
 *
 * Chromium is launched directly (`child_process.spawn`), headless, with no DevTools connection:
 * Playwright and Puppeteer turn on the DevTools network domain, and that instrumentation makes the
 * native EventSource about ten times slower, which would flatter any library compared with it.
 * The page measures and POSTs its results back to the benchmark server.
 *
 * A fresh Chromium (and a fresh profile directory) per client and round; the process group is
 * killed and the directory removed after each page, also on errors and timeouts.
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { aggregate, createObservations } from './lib/aggregate.mjs'
import { browserModes } from './lib/config.mjs'
import { packageVersion } from './lib/machine.mjs'
import { metrics as allMetrics } from './lib/metrics.mjs'
import { installCleanup, onCleanup, startServer, trackGroup } from './lib/processes.mjs'
import { renderBrowser } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** The team's flags for a quiet headless Chromium, and nothing that attaches DevTools. */
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

const clients = [
  { id: 'native', label: 'native EventSource (Chromium)', kind: 'baseline' },
  { id: 'ours', label: 'isomorphic-eventsource (this repo)', kind: 'library' },
]
/** `--floor`: fetch + reader + TextDecoder + a split on blank lines, no events (browser/page.mjs). */
const floorClient = {
  id: 'fetch-floor',
  label: 'floor: fetch body reader, no events',
  kind: 'floor',
}

const metricIds = ['events16', 'latencyP50', 'latencyP99']
const metrics = allMetrics.filter((metric) => metricIds.includes(metric.id))

function chromiumVersion() {
  try {
    return execFileSync(chromiumPath, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim()
  } catch {
    return 'Chromium (version unknown)'
  }
}

/**
 * Opens `url` in a fresh headless Chromium and resolves the page's result (the POSTed body whose
 * token matches), or rejects after `timeoutMs`. Chromium and its profile are gone when it settles.
 */
async function runPage(server, url, token, timeoutMs, { extraFlags = [], cwd } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'sse-bench-chromium-'))
  const removeProfile = () =>
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  const forget = onCleanup(removeProfile)
  // Detached: Chromium leads its own process group, so one kill reaches its helpers too.
  const child = trackGroup(
    spawn(chromiumPath, [...chromiumFlags, ...extraFlags, `--user-data-dir=${profile}`, url], {
      detached: true,
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000)
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let unsubscribe = () => {}
  let timer
  try {
    return await new Promise((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no result within ${timeoutMs} ms; Chromium said: ${stderr.trim().slice(-300)}`,
            ),
          ),
        timeoutMs,
      )
      child.once('error', reject)
      child.once('exit', (code) =>
        reject(
          new Error(
            `Chromium exited (${code}) before the page reported: ${stderr.trim().slice(-300)}`,
          ),
        ),
      )
      unsubscribe = server.onMessage((message) => {
        if (message?.type !== 'results') return
        const body = JSON.parse(message.body)
        if (body.token !== token) return
        if (body.error) reject(new Error(`page error: ${body.error}`))
        else resolve(body)
      })
    })
  } finally {
    clearTimeout(timer)
    unsubscribe()
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    }
    removeProfile()
    forget()
  }
}

/**
 * How far the page's wall clock was from the server's according to `/clock` round trips, and the
 * smallest latency sample: a negative one would mean the clocks disagree by more than the latency.
 */
function summarizeClock(checks) {
  if (checks.length === 0) return null
  return {
    offsetMedian: median(checks.map((check) => check.clockOffset)),
    offsetMaxAbs: Math.max(...checks.map((check) => Math.abs(check.clockOffset))),
    roundTripMedian: median(checks.map((check) => check.clockRtt)),
    smallestLatency: Math.min(...checks.map((check) => check.min)),
  }
}

/** Rotates the order each round, as in the Node part. */
function rotate(list, by) {
  const shift = by % list.length
  return [...list.slice(shift), ...list.slice(0, shift)]
}

/**
 * Runs the browser rounds; resolves a section for the report: `{ chromium, crossOriginIsolated,
 * reps, metrics, clients }`, or `{ skipped: reason }` when Chromium or the build is missing.
 */
export async function runBrowser({
  quick = false,
  reps,
  prof = false,
  jsFlags = '',
  floor = false,
  probe = false,
  only,
  log = () => {},
} = {}) {
  const measured = floor ? [...clients, floorClient] : clients
  if (!existsSync(chromiumPath)) {
    return { skipped: `Chromium not found at ${chromiumPath} (set CHROMIUM_PATH).` }
  }
  if (!existsSync(distIndex)) return { skipped: 'dist/index.js is missing: run `npm run build`.' }
  installCleanup()
  const mode = { ...browserModes[quick ? 'quick' : 'full'] }
  if (reps) mode.reps = reps
  const chromium = chromiumVersion()
  const observations = createObservations()
  let isolated = true
  const clockChecks = []
  const server = await startServer()
  try {
    for (let round = 1; round <= mode.reps; round++) {
      for (const client of rotate(measured, round - 1)) {
        const token = randomUUID()
        const query = new URLSearchParams({
          client: client.id,
          token,
          warmupMs: String(mode.warmupMs),
          windowMs: String(mode.windowMs),
          rate: String(mode.latencyRate),
          durationMs: String(mode.latencyMs),
          skipMs: String(mode.latencySkipMs),
        })
        if (probe) query.set('probe', '1')
        if (only) query.set('only', only)
        const url = `${server.origin}/browser/page.html?${query}`
        const begun = Date.now()
        // --prof: V8's tick log, one file per isolate, in a directory per page (the renderer
        // writes it in its working directory); browser/ticks.mjs reads it.
        const profDir = prof
          ? fileURLToPath(new URL(`results/prof/${client.id}-${round}/`, import.meta.url))
          : undefined
        if (profDir) {
          rmSync(profDir, { recursive: true, force: true })
          mkdirSync(profDir, { recursive: true })
        }
        try {
          const result = await runPage(server, url, token, mode.timeoutMs, {
            extraFlags: prof || jsFlags ? [`--js-flags=${prof ? '--prof ' : ''}${jsFlags}`] : [],
            cwd: profDir,
          })
          isolated &&= result.info.crossOriginIsolated
          if (client.id === 'ours' && !result.info.isOurs)
            throw new Error('the page did not install ours')
          observations.add(client.id, 'events16', round, {
            value: result.throughput.eventsPerSecond,
          })
          observations.add(client.id, 'latencyP50', round, { value: result.latency.p50 })
          observations.add(client.id, 'latencyP99', round, { value: result.latency.p99 })
          clockChecks.push(result.latency)
          log(
            `[browser ${round}/${mode.reps}] ${client.id}: ${Math.round(result.throughput.eventsPerSecond)} events/s, p50 ${result.latency.p50.toFixed(3)} ms, p99 ${result.latency.p99.toFixed(3)} ms${result.latency.arrivalP50 === undefined ? '' : `, bytes in JS p50 ${result.latency.arrivalP50.toFixed(3)} ms`} (${((Date.now() - begun) / 1000).toFixed(1)} s)`,
          )
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          for (const id of metricIds) observations.add(client.id, id, round, { error: message })
          log(`[browser ${round}/${mode.reps}] ${client.id}: ERROR ${message}`)
        }
      }
    }
  } finally {
    await server.stop()
  }
  const infos = measured.map((client) => ({
    ...client,
    version:
      client.id === 'native' ? (chromium.match(/\d+(\.\d+)+/)?.[0] ?? '?') : packageVersion('.'),
  }))
  return {
    chromium,
    crossOriginIsolated: isolated,
    reps: mode.reps,
    settings: mode,
    clock: summarizeClock(clockChecks),
    metrics,
    clients: aggregate({ clients: infos, metrics, observations, referenceId: 'native' }),
  }
}

/**
 * `--micro`: the page's micro-benchmarks (ns per operation of single per-event steps, see
 * `microCases` in browser/page.mjs), one fresh Chromium per rep; prints the median per case.
 */
async function runMicro({ reps = 3, jsFlags = '', log = () => {} } = {}) {
  installCleanup()
  const server = await startServer()
  const runs = []
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const token = randomUUID()
      const query = new URLSearchParams({ client: 'micro', token, windowMs: '600' })
      const result = await runPage(
        server,
        `${server.origin}/browser/page.html?${query}`,
        token,
        60_000,
        {
          extraFlags: jsFlags ? [`--js-flags=${jsFlags}`] : [],
        },
      )
      log(`[micro ${rep}/${reps}] ${JSON.stringify(result.micro)}`)
      runs.push(result.micro)
    }
  } finally {
    await server.stop()
  }
  return Object.keys(runs[0]).map((name) => ({ name, ns: median(runs.map((run) => run[name])) }))
}

async function cli() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      reps: { type: 'string' },
      prof: { type: 'boolean', default: false },
      'js-flags': { type: 'string', default: '' },
      micro: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
      probe: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  })
  if (values.only !== undefined && values.only !== 'throughput' && values.only !== 'latency')
    throw new RangeError('--only wants throughput or latency')
  const reps = values.reps === undefined ? undefined : Number(values.reps)
  if (reps !== undefined && !(Number.isInteger(reps) && reps > 0))
    throw new RangeError('--reps wants a positive integer')
  const log = (message) => process.stderr.write(`${message}\n`)
  if (values.micro) {
    const rows = await runMicro({ reps, jsFlags: values['js-flags'], log })
    process.stdout.write('| case | ns/op (median) |\n| --- | --- |\n')
    for (const row of rows) process.stdout.write(`| ${row.name} | ${row.ns.toFixed(0)} |\n`)
    return
  }
  const section = await runBrowser({
    quick: values.quick,
    reps,
    prof: values.prof,
    jsFlags: values['js-flags'],
    floor: values.floor,
    probe: values.probe,
    only: values.only,
    log,
  })
  const dir = new URL('./results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  const markdown = `${renderBrowser(section).join('\n')}\n`
  writeFileSync(new URL('browser-latest.md', dir), markdown)
  writeFileSync(new URL('browser-latest.json', dir), `${JSON.stringify(section, null, 2)}\n`)
  process.stdout.write(values.json ? `${JSON.stringify(section, null, 2)}\n` : markdown)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`)
    process.exitCode = 1
  })
}
