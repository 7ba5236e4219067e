#!/usr/bin/env node
/**
 * Where our client's time goes per event: `node bench/profile.mjs [--save] [--client ours]`.
 *
 * Runs the 16 B throughput measurement once for one client under `node --cpu-prof`, keeps the
 * samples of the measurement window only (not start-up or imports), and sums self time per
 * function (`functionName` + script URL, the line too for anonymous functions) and per area
 * (this repository's build, undici, Node internals, V8). Prints Markdown; `--save` writes it to
 * bench/PROFILE.md. The raw .cpuprofile stays in bench/results/profile/ (open it in Chrome
 * DevTools or speedscope for the call tree).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { clients } from './clients/index.mjs'
import { buildInfo, machineInfo, packageVersion } from './lib/machine.mjs'
import { installCleanup, measure, startServer } from './lib/processes.mjs'
import { formatValue } from './lib/report.mjs'

const { values: options } = parseArgs({
  options: {
    client: { type: 'string', default: 'ours' },
    save: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    size: { type: 'string', default: '16' },
  },
})

const repoRoot = fileURLToPath(new URL('../', import.meta.url))
const profileDir = fileURLToPath(new URL('./results/profile/', import.meta.url))

/** Script URLs relative to the repository, and a name for the empty URL of V8's own entries. */
function shortUrl(url) {
  if (url === '') return '(V8)'
  return url.replace(`file://${repoRoot}`, '').replace(repoRoot, '')
}

/** Which part of the stack a frame belongs to, for the per-area table. */
function area(url, functionName) {
  const short = shortUrl(url)
  if (functionName === '(idle)') return 'idle (waiting for the socket)'
  if (functionName === '(garbage collector)') return 'garbage collector'
  if (short === '(V8)') return 'V8 builtins and runtime (program, native helpers)'
  if (short.startsWith('dist/'))
    return 'this repository (dist/node.js, eventsource-parser bundled in)'
  if (short.includes('node_modules/undici/')) return 'undici (fetch, HTTP parser glue, web streams)'
  if (short.startsWith('bench/')) return 'benchmark harness (counting in the handler)'
  if (short.startsWith('node:')) return 'Node internals (streams, events, buffers, timers)'
  return short
}

/**
 * Self time in µs per key, for the samples whose timestamps fall inside `[from, to]`, and per key
 * the caller that accounts for most of it (a builtin such as `now` says little without it).
 */
function selfTimes(profile, from, to, keyOf) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node)
  const totals = new Map()
  const callers = new Map()
  let time = profile.startTime
  let kept = 0
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i]
    if (time < from || time > to) continue
    // A sample's self time is the gap to the next sample (the last one gets the mean gap).
    const next =
      profile.timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / profile.samples.length
    const node = nodes.get(profile.samples[i])
    const key = keyOf(node.callFrame)
    totals.set(key, (totals.get(key) ?? 0) + next)
    kept += next
    const caller = parents.get(node.id)?.callFrame.functionName || '(anonymous)'
    const byCaller = callers.get(key) ?? new Map()
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + next)
    callers.set(key, byCaller)
  }
  const mainCaller = (key) =>
    [...(callers.get(key) ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
  return { totals, kept, mainCaller }
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

async function main() {
  installCleanup()
  const client = clients.find((entry) => entry.id === options.client)
  if (client === undefined) throw new RangeError(`unknown client ${options.client}`)
  rmSync(profileDir, { recursive: true, force: true })
  mkdirSync(profileDir, { recursive: true })
  const server = await startServer()
  let message
  try {
    message = await measure(
      {
        client: client.id,
        scenario: 'throughput',
        url: `${server.origin}/stream?size=${Number(options.size)}`,
        size: Number(options.size),
        warmupMs: 500,
        windowMs: Number(options.seconds) * 1000,
      },
      {
        timeoutMs: 60_000,
        execArgv: [
          '--expose-gc',
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          '--cpu-prof-interval=250',
        ],
      },
    )
  } finally {
    await server.stop()
  }
  if (!message.result) throw new Error(`measurement failed: ${JSON.stringify(message)}`)
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error('no .cpuprofile written')
  const profile = JSON.parse(readFileSync(`${profileDir}${file}`, 'utf8'))

  // The window is on the same monotonic clock as the profile's timestamps (µs); if it does not
  // fall inside the profile, use the whole profile rather than nothing.
  let [from, to] = message.result.windowMicroseconds
  let scope = 'the measurement window only'
  if (!(from >= profile.startTime && to <= profile.endTime && to > from)) {
    ;[from, to] = [profile.startTime, profile.endTime]
    scope = 'the whole process (the window could not be located in the profile)'
  }
  const byFunction = selfTimes(profile, from, to, (frame) => {
    const name = frame.functionName || '(anonymous)'
    const line = frame.functionName ? '' : `:${frame.lineNumber + 1}`
    return `${name}\u0000${shortUrl(frame.url)}${line}`
  })
  const byArea = selfTimes(profile, from, to, (frame) => area(frame.url, frame.functionName))
  const events = message.result.eventsPerSecond * ((to - from) / 1e6)
  const percent = (us, total) => `${((100 * us) / total).toFixed(1)} %`
  const nsPerEvent = (us) => ((us * 1000) / events).toFixed(0)

  const machine = machineInfo()
  const lines = [
    '# CPU profile: 16 B events, as fast as possible',
    '',
    `Client: **${client.label}** ${packageVersion(client.package)}. ${new Date().toISOString()}; ${machine.cpu} × ${machine.cores}, Node ${machine.node}, load average ${machine.loadAverage.join(' / ')}.`,
    '',
    client.id === 'ours' ? `Build: ${buildInfo()}.` : '',
    '',
    `Measured ${formatValue(message.result.eventsPerSecond, 'events/s')} events/s over ${message.result.seconds.toFixed(1)} s under \`--cpu-prof\` (250 µs sampling, which itself slows the process a little). Self time from ${scope}: ${(byFunction.kept / 1000).toFixed(0)} ms of samples. "ns/event" divides a row's self time by the events of the window.`,
    '',
    'Regenerate: `node bench/profile.mjs --save` (needs `npm run build` first).',
    '',
    '## By area',
    '',
    table(
      ['area', 'self time', 'share', 'ns/event'],
      [...byArea.totals]
        .sort((a, b) => b[1] - a[1])
        .map(([name, us]) => [
          name,
          `${(us / 1000).toFixed(0)} ms`,
          percent(us, byArea.kept),
          nsPerEvent(us),
        ]),
    ),
    '',
    '## Top functions by self time',
    '',
    table(
      ['function', 'script', 'mostly called from', 'self time', 'share', 'ns/event'],
      [...byFunction.totals]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 30)
        .map(([key, us]) => {
          const [name, url] = key.split('\u0000')
          return [
            `\`${name}\``,
            url,
            `\`${byFunction.mainCaller(key)}\``,
            `${(us / 1000).toFixed(0)} ms`,
            percent(us, byFunction.kept),
            nsPerEvent(us),
          ]
        }),
    ),
    '',
  ]
  const markdown = lines.join('\n')
  if (options.save) writeFileSync(new URL('./PROFILE.md', import.meta.url), markdown)
  process.stdout.write(markdown)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`)
  process.exitCode = 1
})
