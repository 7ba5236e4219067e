#!/usr/bin/env node
/**
 * The Node benchmark: `node bench/run.mjs [--quick] [--json] [--save] [--browser]`.
 *
 * For each round: a fresh SSE server process; then each measurement (16 B, 1 KiB and 64 KiB
 * throughput, paced latency, time to first event, idle memory), and within it every client in a
 * fresh process, in an order that rotates each round. The raw node:http reader runs in every
 * round, so each figure can be divided by the reader's figure from the same round.
 *
 * Writes `bench/results/latest.md` and `latest.json` (ignored by git), and with `--save` also
 * `bench/RESULTS.md` (committed). Progress goes to stderr; stdout gets the Markdown table, or
 * the JSON with `--json`.
 *
 * Options: --quick (smoke: tiny sizes, 1 round, < 60 s), --reps N, --idle N (connections),
 * --clients a,b (ids from bench/clients/index.mjs), --browser (adds the Chromium section).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { clients as allClients, referenceId } from './clients/index.mjs'
import { aggregate, createObservations } from './lib/aggregate.mjs'
import { modes } from './lib/config.mjs'
import { buildInfo, machineInfo, openFileLimit, packageVersion } from './lib/machine.mjs'
import { measurements, metrics } from './lib/metrics.mjs'
import { installCleanup, measure, startServer } from './lib/processes.mjs'
import { formatValue, renderMarkdown } from './lib/report.mjs'

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
    reps: { type: 'string' },
    idle: { type: 'string' },
    clients: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (options.help) {
  process.stdout.write(
    'node bench/run.mjs [--quick] [--json] [--save] [--browser] [--reps N] [--idle N] [--clients a,b]\n',
  )
  process.exit(0)
}

const log = (message) => process.stderr.write(`${message}\n`)

/** Rotates the client order by the round number: no client is always first or last. */
function rotate(list, by) {
  const shift = by % list.length
  return [...list.slice(shift), ...list.slice(0, shift)]
}

function positiveInteger(text, name) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`--${name} wants a positive integer`)
  return value
}

async function main() {
  installCleanup()
  const modeName = options.quick ? 'quick' : 'full'
  const mode = { ...modes[modeName] }
  if (options.reps) mode.reps = positiveInteger(options.reps, 'reps')
  mode.idleReps = Math.min(mode.idleReps, mode.reps)
  if (options.reps && !options.quick) mode.idleReps = Math.min(modes.full.idleReps, mode.reps)
  if (options.idle) mode.idleConnections = positiveInteger(options.idle, 'idle')
  const notes = [`Ours: ${buildInfo()}.`]

  // Each idle connection costs a descriptor in the client and one in the server process.
  const limit = openFileLimit()
  if (mode.idleConnections + 256 > limit) {
    const lowered = Math.max(10, limit - 256)
    notes.push(
      `The open-file limit (ulimit -n) is ${limit}: idle connections lowered from ${mode.idleConnections} to ${lowered}. Raise it (ulimit -n 20000) for the default.`,
    )
    mode.idleConnections = lowered
  }
  mode.idleBatch = Math.min(mode.idleBatch, mode.idleConnections)

  const wanted = options.clients?.split(',').map((id) => id.trim())
  const chosen = allClients.filter((client) => !wanted || wanted.includes(client.id))
  if (!chosen.some((client) => client.id === referenceId)) {
    chosen.unshift(allClients.find((client) => client.id === referenceId))
  }
  const clientInfos = chosen.map((client) => ({
    id: client.id,
    label: client.label,
    kind: client.kind,
    version: packageVersion(client.package),
  }))

  const machine = machineInfo()
  const started = Date.now()
  log(
    `${modeName} mode: ${chosen.length} clients, ${mode.reps} round(s); ${machine.cpu} × ${machine.cores}, Node ${machine.node}`,
  )

  const observations = createObservations()
  /**
   * Measurements a client cannot do are not retried in later rounds; a client that cannot even
   * stream (anything but idle) is not run again at all: its reason stands for every metric.
   */
  const unsupported = new Set()
  const clientUnsupported = new Map()

  for (let round = 1; round <= mode.reps; round++) {
    const server = await startServer()
    try {
      for (const measurement of measurements) {
        if (measurement.scenario === 'idle' && round > mode.idleReps) continue
        for (const client of rotate(chosen, round - 1)) {
          if (measurement.only !== undefined && !measurement.only.includes(client.id)) {
            for (const metricId of Object.keys(measurement.metrics)) {
              observations.add(client.id, metricId, round, { notMeasured: true })
            }
            continue
          }
          if (unsupported.has(`${client.id}/${measurement.id}`)) continue
          const reason = clientUnsupported.get(client.id)
          if (reason !== undefined) {
            for (const metricId of Object.keys(measurement.metrics)) {
              observations.add(client.id, metricId, round, { unsupported: reason })
            }
            unsupported.add(`${client.id}/${measurement.id}`)
            continue
          }
          const own = measurement.ownServer
            ? await startServer({ tls: measurement.ownServer === 'tls' })
            : undefined
          const origin = (own ?? server).origin
          const begun = Date.now()
          let message
          try {
            message = await measure(
              {
                client: client.id,
                scenario: measurement.scenario,
                ...measurement.params(origin, mode, own ?? server),
              },
              { timeoutMs: mode.timeoutMs },
            )
          } finally {
            await own?.stop()
          }
          const took = ((Date.now() - begun) / 1000).toFixed(1)
          const summary = []
          for (const [metricId, pick] of Object.entries(measurement.metrics)) {
            if (message.result) {
              const value = pick(message.result)
              observations.add(client.id, metricId, round, { value })
              const unit = metrics.find((metric) => metric.id === metricId).unit
              summary.push(`${metricId} ${formatValue(value, unit)} ${unit}`)
            } else if (message.unsupported) {
              observations.add(client.id, metricId, round, { unsupported: message.unsupported })
              unsupported.add(`${client.id}/${measurement.id}`)
              if (measurement.scenario !== 'idle' && measurement.only === undefined)
                clientUnsupported.set(client.id, message.unsupported)
            } else {
              observations.add(client.id, metricId, round, { error: message.error })
            }
          }
          const outcome = message.result
            ? summary.join(', ')
            : message.unsupported
              ? `unsupported: ${message.unsupported}`
              : `ERROR: ${message.error}`
          log(
            `[round ${round}/${mode.reps}] ${measurement.id} ${client.id}: ${outcome} (${took} s)`,
          )
        }
      }
    } finally {
      await server.stop()
    }
  }

  const results = {
    meta: {
      date: new Date().toISOString(),
      mode: modeName,
      durationSeconds: 0,
      reps: mode.reps,
      idleReps: mode.idleReps,
      idleConnections: mode.idleConnections,
      settings: mode,
      referenceId,
      referenceLabel: clientInfos.find((client) => client.id === referenceId).label,
      machine,
      loadAverageAtEnd: [],
      notes,
    },
    metrics,
    clients: aggregate({ clients: clientInfos, metrics, observations, referenceId }),
    browser: null,
  }
  if (chosen.some((client) => client.id === 'fetch-event-source-stubbed')) {
    notes.push(
      '† Not runnable in Node as shipped; measured with `window` = the global object and a stub `document` (visible, no events) so its parser can still be compared.',
    )
  }

  if (options.browser) {
    const { runBrowser } = await import('./browser.mjs')
    results.browser = await runBrowser({
      quick: options.quick,
      reps: options.reps && mode.reps,
      log,
    })
  }

  results.meta.durationSeconds = Math.round((Date.now() - started) / 1000)
  results.meta.loadAverageAtEnd = os.loadavg().map((value) => Number(value.toFixed(2)))
  const markdown = renderMarkdown(results)
  const resultsDir = new URL('./results/', import.meta.url)
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(new URL('latest.md', resultsDir), markdown)
  writeFileSync(new URL('latest.json', resultsDir), `${JSON.stringify(results, null, 2)}\n`)
  if (options.save) writeFileSync(new URL('./RESULTS.md', import.meta.url), markdown)
  process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : markdown)
  log(
    `done in ${results.meta.durationSeconds} s; bench/results/latest.md, latest.json${options.save ? ', bench/RESULTS.md' : ''}`,
  )
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
})
