#!/usr/bin/env node
// The full fault-injection soak: by default 100,000 events through the fault proxy with 1,000
// faults, against the build in dist/ (run `npm run build` first). Prints the figures; exits 1
// when an event was lost, duplicated, reordered or corrupted, when the source gave up, when
// fewer faults than asked were injected, or on the time limit.
//
//   node test/reliability/soak.mjs [--events 100000] [--faults 1000] [--seed N]
//                                  [--read-timeout 200] [--timeout-minutes 15]
import { parseArgs } from 'node:util'
import { EventSource } from '../../dist/node.js'
import { formatFigures, runFaultScenario } from './fault-run.mjs'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    faults: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    'read-timeout': { type: 'string', default: '200' },
    'timeout-minutes': { type: 'string', default: '15' },
  },
})

const events = Number(values.events)
const faults = Number(values.faults)
console.log(`soak: ${events} events, ${faults} faults, node ${process.version}`)
const figures = await runFaultScenario({
  EventSource,
  events,
  faults,
  ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  readTimeout: Number(values['read-timeout']),
  timeoutMs: Number(values['timeout-minutes']) * 60_000,
})
console.log(formatFigures(figures))
console.log(
  `throughput: ${Math.round(figures.received / figures.seconds)} events/s, ${((figures.seconds * 1000) / Math.max(1, figures.faults)).toFixed(0)} ms per fault`,
)

const problems = []
if (figures.lost > 0) problems.push(`${figures.lost} lost`)
if (figures.duplicated > 0) problems.push(`${figures.duplicated} duplicated`)
if (figures.outOfOrder > 0) problems.push(`${figures.outOfOrder} out of order`)
if (figures.corrupted > 0) problems.push(`${figures.corrupted} corrupted`)
if (figures.faults < faults) problems.push(`only ${figures.faults} of ${faults} faults injected`)
if (figures.fatal !== undefined) problems.push(`the source failed: ${figures.fatal}`)
if (figures.timedOut) problems.push('timed out')
if (figures.serverAnomalies.length > 0) problems.push(...figures.serverAnomalies)
console.log(problems.length === 0 ? 'soak: PASS' : `soak: FAIL (${problems.join('; ')})`)
process.exitCode = problems.length === 0 ? 0 : 1
