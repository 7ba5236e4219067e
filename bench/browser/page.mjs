/**
 * The in-page half of the browser benchmark. Query: `client` (`native` or `ours`), `token` (echoed
 * so the runner can match the answer), and the mode's durations. It measures 16 B events/s and
 * paced latency with `window.EventSource` (ours replaces it when `client=ours`), then POSTs the
 * results to `/results`. No DevTools protocol is attached: Chromium's network instrumentation
 * slows the native EventSource down by an order of magnitude.
 */
const query = new URLSearchParams(location.search)
const number = (name) => Number(query.get(name))
const client = query.get('client')
const token = query.get('token')

function post(body) {
  return fetch('/results', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, client, ...body }),
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Same method as the Node harness: warm-up, then a window whose edges are timer callbacks. */
async function throughput(EventSourceClass) {
  const size = 16
  let events = 0
  const source = new EventSourceClass(`/stream?size=${size}`)
  let badSize = false
  source.onmessage = (event) => {
    if (event.data.length !== size) badSize = true
    source.onmessage = () => {
      events++
    }
    events++
  }
  const failed = new Promise((_, reject) => {
    source.onerror = () => reject(new Error('error event during the throughput run'))
  })
  await Promise.race([new Promise((resolve) => source.addEventListener('open', resolve)), failed])
  await Promise.race([sleep(number('warmupMs')), failed])
  const startCount = events
  const start = performance.now()
  await Promise.race([sleep(number('windowMs')), failed])
  const counted = events - startCount
  const seconds = (performance.now() - start) / 1000
  source.close()
  if (badSize) throw new Error('wrong data size')
  return { eventsPerSecond: counted / seconds, events: counted, seconds }
}

/**
 * Checks that this page's wall clock (`performance.timeOrigin + performance.now()`) agrees with
 * the server's, NTP style: of 30 round trips to `/clock`, the shortest, assuming symmetric
 * halves. The latency itself does not use this estimate: a round trip through Chromium's network
 * service takes milliseconds, far more than the latencies measured, while both processes derive
 * `timeOrigin` from the same system clock. The check is reported so a disagreement would show.
 */
async function clockCheck() {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 }
  for (let i = 0; i < 30; i++) {
    const sent = performance.now()
    const { wallMs } = await (await fetch('/clock', { cache: 'no-store' })).json()
    const received = performance.now()
    const rtt = received - sent
    const offset = wallMs - (performance.timeOrigin + (sent + received) / 2)
    if (rtt < best.rtt) best = { rtt, offset }
  }
  return best
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

async function latency(EventSourceClass) {
  const rate = number('rate')
  const durationMs = number('durationMs')
  const expected = Math.floor((rate * durationMs) / 1000)
  const skip = Math.floor((rate * number('skipMs')) / 1000)
  const clock = await clockCheck()
  const samples = []
  let received = 0
  const source = new EventSourceClass(`/paced?rate=${rate}&durationMs=${durationMs}&clock=ms`)
  await new Promise((resolve, reject) => {
    source.onmessage = (event) => {
      const now = performance.timeOrigin + performance.now()
      received++
      if (received > skip) samples.push(now - Number(event.data))
      if (received === expected) resolve()
    }
    source.onerror = () => reject(new Error('error event during the latency run'))
    setTimeout(resolve, durationMs + 5000)
  })
  source.close()
  if (received < expected) throw new Error(`only ${received} of ${expected} events arrived`)
  samples.sort((a, b) => a - b)
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    min: samples[0],
    samples: samples.length,
    clockRtt: clock.rtt,
    clockOffset: clock.offset,
  }
}

async function main() {
  if (client === 'ours') {
    const { install } = await import('/dist/index.js')
    install({ force: true })
  }
  const EventSourceClass = window.EventSource
  const info = {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    userAgent: navigator.userAgent,
    isOurs: EventSourceClass.isomorphic === true,
  }
  const throughputResult = await throughput(EventSourceClass)
  const latencyResult = await latency(EventSourceClass)
  await post({ info, throughput: throughputResult, latency: latencyResult })
  document.getElementById('status').textContent = 'done'
}

main().catch((error) => {
  post({ error: String(error?.stack ?? error) })
})
