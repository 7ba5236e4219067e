// Child process for test/leaks.test.ts (run with --expose-gc): open/close cycles and reconnects
// against the parent's loopback server, with the heap (after GC) and the active resources
// measured before and after. Prints one JSON line per measurement. Plain ESM.
//
//   node --expose-gc leak-child.mjs <origin> <cycles> <reconnects> <warmup> <lanes>
// `lanes` sources work side by side (cycles and reconnects are split between them), so the
// 1 ms floor of a zero-delay timer and the loopback round trips overlap.
const { EventSource } = await import(new URL('../../dist/node.js', import.meta.url).href)

const [
  origin = '',
  cyclesArg = '10000',
  reconnectsArg = '10000',
  warmupArg = '500',
  lanesArg = '8',
] = process.argv.slice(2)
const cycles = Number(cyclesArg)
const reconnects = Number(reconnectsArg)
const warmup = Number(warmupArg)
const lanes = Number(lanesArg)
const OPTIONS = { proxy: false }
const STEP_TIMEOUT = 10_000

// A hard limit, unref'd so it never keeps the process alive itself.
setTimeout(() => {
  report({ kind: 'error', message: 'leak child: time limit reached' })
  process.exit(2)
}, 120_000).unref()

function report(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`)
}

const gc = /** @type {() => void} */ (globalThis.gc)
const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

/** Heap used after full GCs, with turns of the event loop between them for finalizers. */
async function settledHeap() {
  for (let i = 0; i < 6; i++) {
    gc()
    await tick()
  }
  return process.memoryUsage().heapUsed
}

/** Active resources by type ('TCPSocketWrap', 'Timeout', …), as counts. */
function resources() {
  const counts = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Opens a source, waits for `open`, closes it. */
function openAndClose() {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`${origin}/open`, OPTIONS)
    const timer = setTimeout(() => {
      source.close()
      reject(new Error('open/close cycle: no open event'))
    }, STEP_TIMEOUT)
    source.onopen = () => {
      clearTimeout(timer)
      source.close()
      resolve(undefined)
    }
    source.onerror = () => {
      clearTimeout(timer)
      source.close()
      reject(new Error('open/close cycle: error event'))
    }
  })
}

/** One source whose server ends every stream at once with `retry: 0`: `count` reconnects. */
function reconnectMany(count) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`${origin}/end`, OPTIONS)
    let errors = 0
    let opens = 0
    let timer = setTimeout(fail, STEP_TIMEOUT)
    function fail() {
      source.close()
      reject(new Error(`reconnects: stuck after ${errors} (readyState ${source.readyState})`))
    }
    source.onopen = () => {
      opens++
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(timer)
        reject(new Error(`reconnects: the source failed after ${errors}`))
        return
      }
      errors++
      clearTimeout(timer)
      if (errors >= count) {
        source.close()
        resolve({ errors, opens })
        return
      }
      timer = setTimeout(fail, STEP_TIMEOUT)
    }
  })
}

/** `total` open/close cycles, over `lanes` sequential lanes. */
async function cycleAll(total) {
  const lane = async (count) => {
    for (let i = 0; i < count; i++) await openAndClose()
  }
  await Promise.all(split(total).map(lane))
}

/** `total` reconnects, over `lanes` sources. */
async function reconnectAll(total) {
  const results = await Promise.all(split(total).map(reconnectMany))
  return {
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    opens: results.reduce((sum, r) => sum + r.opens, 0),
  }
}

/** `total` as `lanes` near-equal positive parts. */
function split(total) {
  const parts = []
  for (let i = 0; i < lanes; i++) {
    const part = Math.floor(total / lanes) + (i < total % lanes ? 1 : 0)
    if (part > 0) parts.push(part)
  }
  return parts
}

// stdout exists before the first measurement, so it is counted on both sides.
report({ kind: 'ready', pid: process.pid })
try {
  await cycleAll(warmup)
  await reconnectAll(warmup)
  const heapStart = await settledHeap()
  const resourcesStart = resources()
  report({ kind: 'start', heap: heapStart, resources: resourcesStart })

  let started = performance.now()
  await cycleAll(cycles)
  const cyclesSeconds = (performance.now() - started) / 1000
  started = performance.now()
  const reconnected = await reconnectAll(reconnects)
  const reconnectsSeconds = (performance.now() - started) / 1000

  const heapEnd = await settledHeap()
  const resourcesEnd = resources()
  report({
    kind: 'end',
    heap: heapEnd,
    resources: resourcesEnd,
    cycles,
    lanes,
    cyclesSeconds,
    reconnects: reconnected.errors,
    reconnectOpens: reconnected.opens,
    reconnectsSeconds,
  })
} catch (error) {
  report({ kind: 'error', message: String(error) })
  process.exitCode = 1
}
