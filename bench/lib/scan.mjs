/**
 * The baselines' "parser": just enough to count events and, for the latency test, to pull out the
 * data of each event. It relies on the benchmark server's fixed format (one `data:` line per
 * event, `\n\n` after it), which is exactly why it is a floor and not an SSE client.
 */

const LF = 10

/**
 * Counts `\n\n` boundaries in a byte stream fed chunk by chunk, a boundary split across two
 * chunks included. Returns a `feed(chunk) => number of events completed in this chunk`.
 */
export function createBoundaryCounter() {
  let lastWasLf = false
  return (chunk) => {
    let events = 0
    let i = chunk.indexOf(LF)
    while (i !== -1) {
      const previous = i === 0 ? lastWasLf : chunk[i - 1] === LF
      if (previous) events++
      i = chunk.indexOf(LF, i + 1)
    }
    lastWasLf = chunk.length > 0 ? chunk[chunk.length - 1] === LF : lastWasLf
    return events
  }
}

/**
 * Splits a byte stream into the data of each event (`data: X\n\n` gives `X`), for the latency test
 * only: the payload there is an ASCII timestamp, so latin1 decoding is exact and cheapest.
 * Returns a `feed(chunk) => string[]`.
 */
export function createDataSplitter() {
  let pending = ''
  return (chunk) => {
    pending +=
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1')
    const blocks = pending.split('\n\n')
    pending = blocks.pop() ?? ''
    return blocks.map((block) => (block.startsWith('data: ') ? block.slice(6) : block))
  }
}
