// Child process of hostile.mjs (run with --expose-gc): sources against a hostile stream, the live
// heap (after GC) sampled while they run. Prints one JSON line: the baseline and peak heap in
// bytes, and each source's first `error` event (reason, message, readyState). Plain ESM.
//
//   node --expose-gc hostile-child.mjs <dist file> <url> <maxBufferSize or ''> <sample ms> <sources>
//     [slow loop]
// With "slow loop", a `for await` loop takes one event per 100 ms from the first source; the
// result says how many were waiting for it when the source closed (or after 5 s).
const [dist = '', url = '', max = '', sampleArg = '10', sourcesArg = '1', mode = ''] =
  process.argv.slice(2)
const { EventSource } = await import(new URL(`file://${dist}`).href)

const gc = /** @type {() => void} */ (globalThis.gc)
const live = () => {
  gc()
  return process.memoryUsage().heapUsed
}

const sources = []
const outcomes = []
let done = false
// A hard limit, unref'd so it never keeps the process alive itself.
setTimeout(() => finish({ timedOut: true }), 60_000).unref()

// Warm up what the run will use, so first-use allocations do not count as the stream's.
const warm = new EventSource(url, { proxy: false })
await new Promise((resolve) => {
  warm.onopen = resolve
  warm.onerror = resolve
})
warm.close()
const baseline = live()
let peak = baseline
const sampler = setInterval(() => {
  peak = Math.max(peak, live())
}, Number(sampleArg))

const options = { proxy: false, retry: false }
if (max !== '') options.maxBufferSize = Number(max)
for (let i = 0; i < Number(sourcesArg); i++) {
  const source = new EventSource(url, options)
  sources.push(source)
  source.onerror = (event) => {
    peak = Math.max(peak, live())
    outcomes.push({ reason: event.reason, message: event.message, readyState: source.readyState })
    source.close()
    if (outcomes.length === sources.length) finish({})
  }
}

if (mode === 'slow loop') {
  const [source] = sources
  let dispatched = 0
  let taken = 0
  source.addEventListener('message', () => dispatched++)
  const loop = async () => {
    for await (const _ of source) {
      taken++
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  loop().catch(() => undefined)
  const started = Date.now()
  const watch = setInterval(() => {
    if (source.readyState !== source.CLOSED && Date.now() - started < 5000) return
    clearInterval(watch)
    peak = Math.max(peak, live())
    finish({ waiting: dispatched - taken, closed: source.readyState === source.CLOSED })
  }, 20)
}

function finish(extra) {
  if (done) return
  done = true
  clearInterval(sampler)
  for (const source of sources) source.close()
  const result = { baseline, peak, growth: peak - baseline, outcomes, ...extra }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
