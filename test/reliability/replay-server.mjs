// A replaying SSE server for the fault-injection runs: it holds events 1..N (by id) and answers
// every request with the events after the `Last-Event-ID` it receives, so a client that resumes
// correctly sees each id exactly once. Plain ESM: used by test/faults.test.ts and soak.mjs.
import { once } from 'node:events'
import http from 'node:http'

/**
 * The data of event `id`: single and multi-line, leading and trailing spaces, multi-byte text,
 * and lengths that vary, so resumption is checked on more than one shape of event.
 * @param {number} id
 * @returns {string}
 */
export function dataFor(id) {
  switch (id % 5) {
    case 0:
      return `event ${id}`
    case 1:
      return `line one ${id}\nline two €😀`
    case 2:
      return `${id}:${'x'.repeat(id % 40)}`
    case 3:
      return `{"id":${id},"text":"ünïcödé"}`
    default:
      return ` ${id} `
  }
}

/**
 * The wire form of event `id`: `id`, then one `data` line per line of data; every fourth event
 * uses CRLF line ends.
 * @param {number} id
 * @returns {string}
 */
export function encodeEvent(id) {
  const end = id % 4 === 0 ? '\r\n' : '\n'
  let text = `id: ${id}${end}`
  for (const line of dataFor(id).split('\n')) text += `data: ${line}${end}`
  return text + end
}

/**
 * Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind.
 * @param {http.ServerResponse} res
 */
function drainedOrClosed(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve(undefined)
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/** Average encoded size of an event in bytes, over the first `count` ids. */
export function averageEventBytes(count = 1000) {
  let total = 0
  for (let id = 1; id <= count; id++) total += Buffer.byteLength(encodeEvent(id))
  return total / count
}

/**
 * Starts the server on 127.0.0.1. Each response: `retry: <retry>`, then events from
 * Last-Event-ID + 1 to N, written in batches with backpressure; after N the response stays open
 * (the client closes when it has everything).
 * @param {{ events: number, retry?: number, batch?: number }} options
 */
export async function startReplayServer({ events, retry = 1, batch = 32 }) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const stats = { requests: 0, resumedFrom: /** @type {number[]} */ ([]), anomalies: [] }

  const server = http.createServer(async (req, res) => {
    stats.requests++
    const header = req.headers['last-event-id']
    let last = 0
    if (header !== undefined) {
      last = /^\d+$/.test(header) ? Number(header) : Number.NaN
      if (!(last >= 0 && last <= events)) {
        stats.anomalies.push(`bad Last-Event-ID ${JSON.stringify(header)}`)
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad Last-Event-ID')
        return
      }
    }
    stats.resumedFrom.push(last)
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
    res.write(`retry: ${retry}\n: resuming after ${last}\n\n`)
    let closed = false
    res.on('close', () => {
      closed = true
    })
    for (let id = last + 1; id <= events && !closed; ) {
      let text = ''
      for (const end = Math.min(events, id + batch - 1); id <= end; id++) text += encodeEvent(id)
      if (!res.write(text) && !closed) await drainedOrClosed(res)
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())

  return {
    host: '127.0.0.1',
    port: address.port,
    stats,
    /** Stops listening and destroys every connection. */
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}
