#!/usr/bin/env node
/**
 * Hostile servers, measured: `node bench/hostile.mjs [--dist FILE] [--total MB] [--window MS]
 * [--json]`. The figures of the README's "Hostile input" table come from here.
 *
 * Memory: each shape of test/reliability/hostile.mjs (streams that never finish a line or an
 * event) against one source with the default `maxBufferSize`, in a child process: the peak live
 * heap above the baseline (after GC, sampled every 10 ms and at the `error` event) while up to
 * `--total` MB (64 by default) pass, and how the stream ended. A child that dies of
 * out-of-memory (1 GB heap) is reported as such. Then a flood of events against a `for await`
 * loop that takes one per 100 ms: how many wait for it.
 *
 * Storms: each storm shape against one source with the issue's backoff options
 * (`retry: { factor: 2, resetAfter: 30000, maxDelay: 30000, jitter: 1, statuses: [503] }`), and
 * `retry: 0` with no retry options (the spec's behaviour, as native), for `--window` ms (10,000
 * by default): requests per second, and the first delays the `error` events announced.
 *
 * `--dist` loads another build (say, a checkout of an older commit's dist/node.js) to compare.
 */
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import {
  BACKOFF,
  countStorm,
  FLOOD,
  measureShape,
  memoryShapes,
  stormShapes,
} from '../test/reliability/hostile.mjs'

const { values: options } = parseArgs({
  options: {
    dist: { type: 'string', default: fileURLToPath(new URL('../dist/node.js', import.meta.url)) },
    total: { type: 'string', default: '64' },
    window: { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
})
const total = Number(options.total) * 1e6
const window = Number(options.window)
const MB = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`

const memory = []
for (const shape of Object.keys(memoryShapes)) {
  process.stderr.write(`memory: ${shape}…\n`)
  const result = await measureShape(shape, { dist: options.dist, total, heapLimitMb: 1024 })
  const outcome = result.crashed
    ? `process died (${result.signal ?? `exit ${result.code}`}: out of memory)`
    : (result.outcomes[0]?.reason ?? 'no error')
  memory.push({ shape, outcome, peakHeapGrowth: result.crashed ? undefined : result.growth })
}

process.stderr.write(`memory: ${FLOOD}…\n`)
const flood = await measureShape(FLOOD, { dist: options.dist, total: 1e9, heapLimitMb: 1024 })
memory.push({
  shape: FLOOD,
  outcome: flood.crashed
    ? `process died (${flood.signal ?? `exit ${flood.code}`}: out of memory)`
    : `${flood.waiting} events dispatched, not taken; ${flood.closed ? 'source closed' : 'after 5 s'}`,
  peakHeapGrowth: flood.crashed ? undefined : flood.growth,
})

const { EventSource } = await import(pathToFileURL(options.dist).href)
const storms = []
for (const [shape, retryOptions, label] of [
  ...Object.keys(stormShapes).map((shape) => [shape, BACKOFF, 'backoff']),
  ['retry: 0, then the end', undefined, 'no retry options'],
]) {
  process.stderr.write(`storm: ${shape} (${label})…\n`)
  const sourceOptions =
    retryOptions === undefined ? { proxy: false } : { proxy: false, retry: retryOptions }
  const { requests, perSecond, delays } = await countStorm(
    EventSource,
    shape,
    sourceOptions,
    window,
  )
  storms.push({ shape, options: label, requests, perSecond, delays: delays.slice(0, 3) })
}

if (options.json) {
  process.stdout.write(
    `${JSON.stringify({ dist: options.dist, total, window, memory, storms }, null, 2)}\n`,
  )
} else {
  const lines = [
    `Build: ${options.dist}; Node ${process.version}`,
    '',
    `| memory shape (up to ${options.total} MB, default maxBufferSize) | outcome | peak heap growth |`,
    '| --- | --- | --- |',
    ...memory.map(
      (m) =>
        `| ${m.shape} | ${m.outcome} | ${m.peakHeapGrowth === undefined ? '—' : MB(m.peakHeapGrowth)} |`,
    ),
    '',
    `| storm shape (${window / 1000} s) | options | requests | requests/s | first delays (ms) |`,
    '| --- | --- | --- | --- | --- |',
    ...storms.map(
      (s) =>
        `| ${s.shape} | ${s.options} | ${s.requests} | ${s.perSecond} | ${s.delays.map((d) => (d === undefined ? '—' : Math.round(d))).join(', ')} |`,
    ),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
