// One fault-injection run: a replaying server, the fault proxy in front of it, and one
// EventSource (the class is passed in: the test and soak.mjs both use the build in dist/)
// reading through the proxy until it has every event. Plain ESM.
import { FAULT_KINDS, seededRandom, startFaultProxy } from './fault-proxy.mjs'
import { averageEventBytes, dataFor, startReplayServer } from './replay-server.mjs'

/**
 * The client options under test: retry the statuses the proxy injects, at once, and treat
 * `readTimeout` ms without a byte as a dead connection (the stall fault).
 * @param {number} readTimeout
 */
export function clientOptions(readTimeout) {
  return {
    retry: { statuses: [429, 500, 502, 503], initialDelay: 1 },
    readTimeout,
    proxy: /** @type {const} */ (false),
  }
}

/**
 * @param {{
 *   EventSource: typeof import('../../src/index.js').EventSource,
 *   events: number,
 *   faults: number,
 *   seed?: number,
 *   readTimeout?: number,
 *   timeoutMs: number,
 *   kinds?: readonly string[],
 * }} options
 */
export async function runFaultScenario(options) {
  const { EventSource, events, faults, timeoutMs } = options
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const readTimeout = options.readTimeout ?? 200
  const server = await startReplayServer({ events, retry: 1 })
  const proxy = await startFaultProxy({
    target: { host: server.host, port: server.port },
    budget: faults,
    random: seededRandom(seed),
    events,
    bytesPerEvent: averageEventBytes(),
    ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
  })

  const seen = new Uint8Array(events + 1)
  let received = 0
  let last = 0
  let duplicated = 0
  let outOfOrder = 0
  let corrupted = 0
  let opens = 0
  let reconnects = 0
  /** @type {Record<string, number>} */
  const errors = {}
  /** @type {string | undefined} */
  let fatal
  let timedOut = false
  const started = performance.now()

  const source = new EventSource(`${proxy.origin}/events`, clientOptions(readTimeout))
  try {
    await new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer)
        source.close()
        resolve(undefined)
      }
      const timer = setTimeout(() => {
        timedOut = true
        finish()
      }, timeoutMs)
      source.onopen = () => {
        opens++
      }
      source.onmessage = (event) => {
        received++
        const id = /^\d+$/.test(event.lastEventId) ? Number(event.lastEventId) : Number.NaN
        if (!(id >= 1 && id <= events) || event.data !== dataFor(id)) {
          corrupted++
          return
        }
        if (seen[id] === 1) duplicated++
        else if (id < last) outOfOrder++
        seen[id] = 1
        if (id > last) last = id
        if (last === events) finish()
      }
      source.onerror = (event) => {
        const message = /** @type {{ message?: string }} */ (event).message ?? 'error'
        // Group "No data received for 200 ms", "Network error: other side closed", "HTTP 503"…
        const key = message.replace(/\d{3,}/g, 'N').slice(0, 60)
        errors[key] = (errors[key] ?? 0) + 1
        if (source.readyState === EventSource.CLOSED) {
          fatal = message
          finish()
        } else {
          reconnects++
        }
      }
    })
  } finally {
    source.close()
    await proxy.close()
    await server.close()
  }

  let lost = 0
  for (let id = 1; id <= events; id++) if (seen[id] === 0) lost++
  const injected = { ...proxy.stats.injected }
  return {
    seed,
    events,
    received,
    lost,
    duplicated,
    outOfOrder,
    corrupted,
    faultBudget: faults,
    faults: Object.values(injected).reduce((sum, n) => sum + n, 0),
    injected,
    redirectsFollowed: proxy.stats.redirectsFollowed,
    drippedBytes: proxy.stats.drippedBytes,
    opens,
    reconnects,
    errors,
    proxyRequests: proxy.stats.requests,
    serverRequests: server.stats.requests,
    serverAnomalies: server.stats.anomalies,
    fatal,
    timedOut,
    seconds: (performance.now() - started) / 1000,
  }
}

/**
 * The figures as a few readable lines.
 * @param {Awaited<ReturnType<typeof runFaultScenario>>} f
 */
export function formatFigures(f) {
  const kinds = FAULT_KINDS.map((kind) => `${kind} ${f.injected[kind] ?? 0}`).join(', ')
  const errors = Object.entries(f.errors)
    .sort((a, b) => b[1] - a[1])
    .map(([message, n]) => `${n} × ${message}`)
    .join('; ')
  return [
    `events: ${f.events} expected, ${f.received} received, lost ${f.lost}, duplicated ${f.duplicated}, out of order ${f.outOfOrder}, corrupted ${f.corrupted}`,
    `faults: ${f.faults} injected of ${f.faultBudget} (${kinds}); ${f.redirectsFollowed} redirects followed, ${f.drippedBytes} bytes dripped`,
    `reconnects: ${f.reconnects} (error events while CONNECTING), ${f.opens} opens, ${f.proxyRequests} requests at the proxy, ${f.serverRequests} at the server`,
    `errors: ${errors || 'none'}`,
    `time: ${f.seconds.toFixed(1)} s, seed ${f.seed}${f.timedOut ? ', TIMED OUT' : ''}${f.fatal === undefined ? '' : `, FAILED: ${f.fatal}`}`,
  ].join('\n')
}
