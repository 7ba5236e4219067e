/**
 * One measurement of one client, in a process of its own: `node --expose-gc measure.mjs <json>`.
 * The orchestrator forks it with IPC and receives exactly one message: the result, an `error`,
 * or `unsupported`. The process then exits at once, whatever sockets the client still holds.
 *
 * Why a fresh process each time: JIT state, heap size, undici's connection pools and the module
 * cache of one client must not help or hurt the next client or the next scenario.
 *
 * Parameters: `{ client, scenario, ...scenario params, timeoutMs }`; scenarios are below. `ca`:
 * a certificate to trust (the TLS server's); `options`: the client's options (ours only).
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadAdapter } from './clients/index.mjs'
import { nowNs, wireSize } from './lib/protocol.mjs'
import { percentile } from './lib/stats.mjs'

const params = JSON.parse(process.argv[2] ?? '{}')
let finished = false

/** Sends the one result and exits; later calls (a late error after close, say) are ignored. */
function finish(message) {
  if (finished) return
  finished = true
  const exit = () => process.exit(0)
  if (process.send) process.send(message, exit)
  else {
    process.stdout.write(`${JSON.stringify(message)}\n`)
    exit()
  }
}

const fail = (error) => finish({ error: error instanceof Error ? error.message : String(error) })
process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
// Ends before the parent's hard kill, so a stuck client is reported with a reason.
setTimeout(
  () => fail(new Error(`timed out after ${params.timeoutMs} ms`)),
  params.timeoutMs ?? 55_000,
).unref()

/** `Promise.withResolvers()`, which Node 20 does not have. */
function deferred() {
  let resolve
  const promise = new Promise((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** A sink with every callback; scenarios override the ones they use. */
function baseSink() {
  return {
    wantData: false,
    open() {},
    message() {},
    messages() {},
    bytes() {},
    error: fail,
    unsupported: (reason) => finish({ unsupported: reason }),
  }
}

/**
 * Events (or MB) per second over a fixed window after a warm-up from the moment the stream opens.
 * The phases end from timers, and also from the handler every 1024 events: a client that blocks
 * its event loop for seconds on one chunk (launchdarkly-eventsource on 64 KiB reads of small
 * events, see the README) still ends its window on time, not when the chunk is done.
 */
async function throughput(adapter) {
  const { url, size, warmupMs, windowMs } = params
  const wire = wireSize(size)
  let events = 0
  let bytes = 0
  let phase = 'connecting'
  let phaseEndsAt = Number.POSITIVE_INFINITY
  let startCount = 0
  let startTime = 0
  // On the monotonic clock, for `profile.mjs` to keep only the samples of the window.
  const windowNs = [0n, 0n]
  const { promise: done, resolve } = deferred()
  const received = () => (adapter.countsBytes ? Math.floor(bytes / wire) : events)

  const enter = (next, durationMs) => {
    phase = next
    phaseEndsAt = performance.now() + durationMs
    setTimeout(() => {
      if (phase === next) advance()
    }, durationMs)
  }
  function advance() {
    if (phase === 'warming up') {
      startCount = received()
      startTime = performance.now()
      windowNs[0] = nowNs()
      enter('measuring', windowMs)
    } else if (phase === 'measuring') {
      phase = 'done'
      windowNs[1] = nowNs()
      resolve({ counted: received() - startCount, seconds: (performance.now() - startTime) / 1000 })
    }
  }
  const check = () => {
    if (performance.now() >= phaseEndsAt) advance()
  }

  const sink = baseSink()
  sink.open = () => enter('warming up', warmupMs)
  const count = () => {
    events++
    if ((events & 1023) === 0) check()
  }
  // The first event is checked for the right size, then every later one is only counted.
  sink.message = (data) => {
    if (data.length !== size) fail(new Error(`expected ${size} bytes of data, got ${data.length}`))
    sink.message = count
    count()
  }
  sink.messages = (n) => {
    events += n
    check()
  }
  sink.bytes = (n) => {
    bytes += n
    check()
  }
  const handle = adapter.open(url, sink)
  const { counted, seconds } = await done
  handle.close()
  if (counted <= 0) throw new Error('no event arrived during the measurement window')
  return {
    eventsPerSecond: counted / seconds,
    megabytesPerSecond: (counted * wire) / seconds / 1e6,
    events: counted,
    seconds,
    windowMicroseconds: windowNs.map((ns) => Number(ns / 1000n)),
  }
}

/**
 * Server write → `message` handler, for a stream paced at `rate` events/s. The server stamps
 * each event with `process.hrtime` in ns, the same monotonic clock this process reads. The first
 * `skipMs` of events are dropped: they include connection setup and the first JIT compilations.
 */
async function latency(adapter) {
  const { url, rate, durationMs, skipMs } = params
  const expected = Math.floor((rate * durationMs) / 1000)
  const skip = Math.floor((rate * skipMs) / 1000)
  const samples = new Float64Array(expected)
  let received = 0
  let kept = 0
  const { promise: done, resolve } = deferred()
  const sink = baseSink()
  sink.wantData = true
  sink.message = (data) => {
    const now = nowNs()
    received++
    if (received > skip && kept < samples.length) samples[kept++] = Number(now - BigInt(data)) / 1e6
    if (received === expected) resolve()
  }
  const handle = adapter.open(url, sink)
  await Promise.race([done, sleep(durationMs + 5000)])
  handle.close()
  if (received < expected) throw new Error(`only ${received} of ${expected} events arrived`)
  const sorted = samples.subarray(0, kept).sort()
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[kept - 1],
    samples: kept,
  }
}

/**
 * Several full collections, with a turn of the event loop between them for finalizers, then a
 * pause: V8 gives freed pages back to the OS from a background thread, and RSS read too early
 * still counts them.
 */
async function collect() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  await sleep(250)
  globalThis.gc()
}

/**
 * Memory per idle open connection. One connection is opened first and kept, so the one-time cost
 * of the client's first request (lazy modules, pools) is not spread over the others. Then `n`
 * more, `batch` at a time (so the server's accept queue never overflows), and the RSS and heap
 * deltas after full GCs, divided by `n`.
 */
async function idle(adapter) {
  const { url, n, batch } = params
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc')
  const handles = []
  let firstOpenedAt = Number.NaN
  // A client that gives up on a silent connection cannot report memory per idle connection: say
  // so, with its own message. (launchdarkly-eventsource does, on Node >= 19: see the README.)
  // Any earlier error is a plain failure.
  const onError = (error) => {
    const openFor = performance.now() - firstOpenedAt
    if (!(openFor >= 4000)) return fail(error)
    const message = error instanceof Error ? error.message : String(error)
    finish({
      unsupported: `dropped a silent connection after ${(openFor / 1000).toFixed(1)} s: ${message}`,
    })
  }
  const openOne = () =>
    new Promise((resolve) => {
      const sink = baseSink()
      sink.open = resolve
      sink.error = onError
      handles.push(adapter.open(url, sink))
    })
  await openOne()
  firstOpenedAt = performance.now()
  await sleep(100)
  await collect()
  const before = process.memoryUsage()
  for (let opened = 0; opened < n; opened += batch) {
    const size = Math.min(batch, n - opened)
    await Promise.all(Array.from({ length: size }, openOne))
  }
  await sleep(200)
  await collect()
  const after = process.memoryUsage()
  const perConnection = (key) => (after[key] - before[key]) / n / 1024
  return {
    rssKiB: perConnection('rss'),
    heapKiB: perConnection('heapUsed'),
    externalKiB: perConnection('external'),
    connections: n,
  }
}

/**
 * Connect → first `message`, in a process that has loaded the client but never used it: what a
 * CLI or a serverless function pays. It includes TCP connect and the client's lazy initialisation
 * on first use; the server writes the event right behind the headers.
 */
async function firstEvent(adapter) {
  const { url } = params
  const wire = wireSize(16)
  const { promise: first, resolve } = deferred()
  let openedAt = Number.NaN
  let bytes = 0
  const sink = baseSink()
  sink.open = () => {
    openedAt = performance.now()
  }
  sink.message = () => resolve(performance.now())
  sink.messages = (count) => {
    if (count > 0) resolve(performance.now())
  }
  sink.bytes = (n) => {
    bytes += n
    if (bytes >= wire) resolve(performance.now())
  }
  const start = performance.now()
  const handle = adapter.open(url, sink)
  const at = await first
  handle.close()
  return { firstEventMs: at - start, openMs: openedAt - start }
}

const scenarios = { throughput, latency, idle, firstEvent }

async function main() {
  const scenario = scenarios[params.scenario]
  if (scenario === undefined) throw new Error(`unknown scenario ${params.scenario}`)
  // The TLS server's self-signed certificate, trusted as any node:https request is told to.
  if (params.ca !== undefined) (await import('node:https')).globalAgent.options.ca = params.ca
  const adapter = await loadAdapter(params.client)
  if (params.options !== undefined) {
    const open = adapter.open
    adapter.open = (url, sink) => open(url, sink, params.options)
  }
  const result = await scenario(adapter)
  finish({ result })
}

main().catch(fail)
