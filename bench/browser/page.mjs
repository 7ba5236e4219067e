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
  // `probe=1` (`--probe`): also when the chunk reached TextDecoder, to split the latency into
  // "until the bytes reach JS" and "from there to the handler". Costs one call per chunk.
  const arrivals = []
  let decodedAt = 0
  if (query.has('probe')) {
    const decode = TextDecoder.prototype.decode
    TextDecoder.prototype.decode = function (...args) {
      decodedAt = performance.timeOrigin + performance.now()
      return decode.apply(this, args)
    }
  }
  let received = 0
  const source = new EventSourceClass(`/paced?rate=${rate}&durationMs=${durationMs}&clock=ms`)
  await new Promise((resolve, reject) => {
    source.onmessage = (event) => {
      const now = performance.timeOrigin + performance.now()
      received++
      if (received > skip) {
        samples.push(now - Number(event.data))
        if (decodedAt !== 0) arrivals.push(decodedAt - Number(event.data))
      }
      if (received === expected) resolve()
    }
    source.onerror = () => reject(new Error('error event during the latency run'))
    setTimeout(resolve, durationMs + 5000)
  })
  source.close()
  if (received < expected) throw new Error(`only ${received} of ${expected} events arrived`)
  samples.sort((a, b) => a - b)
  arrivals.sort((a, b) => a - b)
  return {
    arrivalP50: arrivals.length > 0 ? percentile(arrivals, 50) : undefined,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    min: samples[0],
    samples: samples.length,
    clockRtt: clock.rtt,
    clockOffset: clock.offset,
  }
}

/**
 * `client=micro` (`node bench/browser.mjs --micro`): nanoseconds per operation of the per-event
 * steps in isolation, for comparing ways of doing one of them. Each case runs three passes of
 * `windowMs / 3` and keeps the fastest (the first doubles as warm-up); `sink` keeps the optimiser
 * from dropping the work.
 */
let sink
const origin = location.origin
const datas = Array.from({ length: 1024 }, (_, i) => String(i).padStart(16, 'x'))
const target = new EventTarget()
target.addEventListener('message', (event) => {
  sink = event
})
const reusedInit = { data: '', origin, lastEventId: '' }
const chunk = new TextEncoder().encode('data: xxxxxxxxxxxxxxxx\n\n'.repeat(2730))
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
const streamOption = { stream: true }
const microCases = {
  'new Event(type)': () => new Event('message'),
  'new MessageEvent(type)': () => new MessageEvent('message'),
  'new MessageEvent(type, {data})': (i) => new MessageEvent('message', { data: datas[i & 1023] }),
  "new MessageEvent(type, {data, origin: ''})": (i) =>
    new MessageEvent('message', { data: datas[i & 1023], origin: '' }),
  // A non-empty origin that looks like a URL costs Chromium about 1.4 µs more (not its length:
  // 'x'.repeat(200) does not): the cost every script-built MessageEvent with an origin pays.
  "new MessageEvent(type, {data, origin: 'x'.repeat(22)})": (i) =>
    new MessageEvent('message', { data: datas[i & 1023], origin: 'xxxxxxxxxxxxxxxxxxxxxx' }),
  'new MessageEvent(type, {data, origin})': (i) =>
    new MessageEvent('message', { data: datas[i & 1023], origin }),
  "new MessageEvent(type, {data, origin, lastEventId: ''}) (what we do)": (i) =>
    new MessageEvent('message', { data: datas[i & 1023], origin, lastEventId: '' }),
  'the same with one reused init object': (i) => {
    reusedInit.data = datas[i & 1023]
    return new MessageEvent('message', reusedInit)
  },
  'new MessageEvent(type) + initMessageEvent(type, false, false, data, origin, "")': (i) => {
    const event = new MessageEvent('message')
    event.initMessageEvent('message', false, false, datas[i & 1023], origin, '')
    return event
  },
  "document.createEvent('MessageEvent') + initMessageEvent(...)": (i) => {
    const event = document.createEvent('MessageEvent')
    event.initMessageEvent('message', false, false, datas[i & 1023], origin, '')
    return event
  },
  'dispatchEvent(new Event) to 1 listener': () => target.dispatchEvent(new Event('message')),
  // Per 64 KiB chunk (2,730 events of 16 bytes), not per event.
  'TextDecoder.decode(64 KiB, { stream: true }) per chunk': () =>
    decoder.decode(chunk, { stream: true }),
  'the same with one shared options object': () => decoder.decode(chunk, streamOption),
}

async function micro() {
  const windowMs = number('windowMs')
  const results = {}
  for (const [name, run] of Object.entries(microCases)) {
    let best = Number.POSITIVE_INFINITY
    for (let pass = 0; pass < 3; pass++) {
      let n = 0
      const start = performance.now()
      let now = start
      while (now - start < windowMs / 3) {
        for (let i = 0; i < 1000; i++) sink = run(n + i)
        n += 1000
        now = performance.now()
      }
      best = Math.min(best, ((now - start) * 1e6) / n)
      await sleep(0)
    }
    results[name] = best
  }
  if (sink === undefined) throw new Error('the cases returned nothing')
  return results
}

/**
 * `client=fetch-floor` (`--floor`): the least a fetch-based client can do, for the floor the
 * platform sets: fetch, the body's reader, TextDecoder, and a split on blank lines (assumes
 * `data: x` events), handing plain objects to `onmessage`: no MessageEvent and no dispatch.
 */
class FetchFloor {
  #controller = new AbortController()
  #listeners = []
  onmessage = null
  onerror = null
  constructor(url) {
    const decoder = new TextDecoder()
    let pending = ''
    const read = (reader) =>
      reader.read().then(({ done, value }) => {
        if (done) return
        const text = pending + decoder.decode(value, { stream: true })
        let start = 0
        let end = text.indexOf('\n\n')
        while (end !== -1) {
          this.onmessage?.({ data: text.slice(start + 6, end) })
          start = end + 2
          end = text.indexOf('\n\n', start)
        }
        pending = text.slice(start)
        read(reader)
      })
    fetch(url, { signal: this.#controller.signal, cache: 'no-store' })
      .then((response) => {
        for (const listener of this.#listeners) listener()
        return read(response.body.getReader())
      })
      .catch((error) => {
        if (!this.#controller.signal.aborted) this.onerror?.(error)
      })
  }
  addEventListener(_type, listener) {
    this.#listeners.push(listener)
  }
  close() {
    this.#controller.abort()
  }
}

async function main() {
  if (client === 'micro') {
    await post({ micro: await micro() })
    return
  }
  if (client === 'ours') {
    const { install } = await import('/dist/index.js')
    install({ force: true })
  }
  const EventSourceClass = client === 'fetch-floor' ? FetchFloor : window.EventSource
  const info = {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    userAgent: navigator.userAgent,
    isOurs: EventSourceClass.isomorphic === true,
  }
  // `only=throughput|latency` (`--only`): skip the other part, e.g. to profile one of them.
  const only = query.get('only')
  const skipped = { eventsPerSecond: 0, p50: 0, p99: 0, min: 0, clockRtt: 0, clockOffset: 0 }
  const throughputResult = only === 'latency' ? skipped : await throughput(EventSourceClass)
  const latencyResult = only === 'throughput' ? skipped : await latency(EventSourceClass)
  await post({ info, throughput: throughputResult, latency: latencyResult })
  document.getElementById('status').textContent = 'done'
}

main().catch((error) => {
  post({ error: String(error?.stack ?? error) })
})
