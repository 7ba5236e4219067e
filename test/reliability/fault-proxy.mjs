// A fault-injecting TCP proxy on 127.0.0.1 that speaks just enough HTTP/1.1 to answer some
// requests itself. Per request it draws a fault while its budget lasts:
// - at the request: a 5xx, a 429 with `Retry-After: 0`, or a 302 to itself with a query marker;
// - at a random byte of the response (headers and chunked framing included): an abrupt close
//   (FIN), a TCP reset, a stall without FIN, or a one-byte drip (after which the connection
//   goes on and draws its next fault).
// Plain ESM: used by test/faults.test.ts and soak.mjs.
import { once } from 'node:events'
import net from 'node:net'

/** Faults injected inside a response. */
export const STREAM_FAULTS = /** @type {const} */ (['close', 'reset', 'stall', 'drip'])
/** Faults injected instead of a response. */
export const HTTP_FAULTS = /** @type {const} */ (['status5xx', 'status429', 'redirect'])
export const FAULT_KINDS = /** @type {const} */ ([...STREAM_FAULTS, ...HTTP_FAULTS])

const REDIRECT_MARKER = 'redirected'
const REASONS = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }

/**
 * A small seeded PRNG (mulberry32), so a run can be replayed from its seed.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * @param {{
 *   target: { host: string, port: number },
 *   budget: number,
 *   random: () => number,
 *   events: number,
 *   bytesPerEvent: number,
 *   kinds?: readonly string[],
 *   drip?: { minBytes: number, maxBytes: number, intervalMs: number },
 * }} options
 */
export async function startFaultProxy(options) {
  const { target, random, events, bytesPerEvent } = options
  const kinds = options.kinds ?? FAULT_KINDS
  const streamKinds = kinds.filter((kind) => STREAM_FAULTS.includes(/** @type {never} */ (kind)))
  const drip = options.drip ?? { minBytes: 16, maxBytes: 256, intervalMs: 1 }
  let remaining = options.budget
  /** @type {Record<string, number>} */
  const injected = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0]))
  const stats = { requests: 0, redirectsFollowed: 0, injected, drippedBytes: 0, forwarded: 0 }
  /** @type {Set<net.Socket>} */
  const sockets = new Set()
  let origin = ''

  const track = (/** @type {net.Socket} */ socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const integer = (/** @type {number} */ min, /** @type {number} */ max) =>
    min + Math.floor(random() * (max - min + 1))
  /** @param {readonly string[]} from */
  const draw = (from) =>
    remaining > 0 && from.length > 0 ? from[integer(0, from.length - 1)] : undefined
  const count = (/** @type {string} */ kind) => {
    remaining--
    injected[kind] = (injected[kind] ?? 0) + 1
  }
  /**
   * Bytes until the next fault inside a response: uniform around a mean that spreads the
   * remaining budget over the remaining events (front-loaded a little, so the budget is spent
   * before the client has everything).
   * @param {number} position events the client has, approximately
   */
  const nextOffset = (position) => {
    const remainingBytes = Math.max(0, events - position) * bytesPerEvent
    const share = streamKinds.length / Math.max(1, kinds.length)
    const mean = (0.7 * remainingBytes) / Math.max(1, remaining * share)
    // Never past the end: a fault planned beyond the last event would never be injected.
    return integer(0, Math.floor(Math.min(2 * mean, 0.9 * remainingBytes)))
  }

  const server = net.createServer((client) => {
    track(client)
    client.setNoDelay(true)
    /** @type {Buffer[]} */
    const pieces = []
    const onData = (/** @type {Buffer} */ chunk) => {
      pieces.push(chunk)
      const head = Buffer.concat(pieces)
      const end = head.indexOf('\r\n\r\n')
      if (end === -1) {
        if (head.length > 64 * 1024) client.destroy()
        return
      }
      client.off('data', onData)
      client.pause()
      respond(client, head.subarray(0, end + 4), head.subarray(end + 4))
    }
    client.on('data', onData)
  })

  /**
   * @param {net.Socket} client
   * @param {Buffer} head the request line and headers
   * @param {Buffer} rest whatever followed them
   */
  function respond(client, head, rest) {
    stats.requests++
    const lines = head.toString('latin1').split('\r\n')
    const path = (lines[0] ?? '').split(' ')[1] ?? '/'
    const redirected = path.includes(`${REDIRECT_MARKER}=`)
    if (redirected) stats.redirectsFollowed++
    let lastEventId = 0
    for (const line of lines) {
      const match = /^last-event-id:\s*(\d+)\s*$/i.exec(line)
      if (match) lastEventId = Number(match[1])
    }
    // A redirected request is not redirected again: no loops.
    const kind = draw(redirected ? kinds.filter((k) => k !== 'redirect') : kinds)
    if (kind === 'status5xx') {
      count(kind)
      const status = /** @type {500 | 502 | 503} */ ([500, 502, 503][integer(0, 2)])
      client.end(
        `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfault`,
      )
      return
    }
    if (kind === 'status429') {
      count(kind)
      client.end(
        'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      )
      return
    }
    if (kind === 'redirect') {
      count(kind)
      const location = `${origin}/events?${REDIRECT_MARKER}=${injected['redirect']}`
      client.end(
        `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      )
      return
    }
    forward(client, head, rest, kind, lastEventId)
  }

  /**
   * Pipes one request to the server and its response back, injecting `kind` at a random byte.
   * @param {net.Socket} client
   * @param {Buffer} head
   * @param {Buffer} rest
   * @param {string | undefined} kind
   * @param {number} lastEventId
   */
  function forward(client, head, rest, kind, lastEventId) {
    stats.forwarded++
    /** @type {'pass' | 'drip' | 'stalled' | 'dead'} */
    let mode = 'pass'
    let sent = 0
    let faultAt = kind === undefined ? Number.POSITIVE_INFINITY : nextOffset(lastEventId)
    /** @type {Buffer[]} */
    let queue = []
    let dripLeft = 0
    let waitingForDrain = false
    const upstream = net.connect(target.port, target.host)
    track(upstream)
    upstream.setNoDelay(true)
    upstream.write(head)
    if (rest.length > 0) upstream.write(rest)
    client.on('data', (chunk) => upstream.write(chunk))
    client.resume()
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => {
      if (mode === 'pass') client.end()
    })

    const write = (/** @type {Buffer} */ bytes) => {
      sent += bytes.length
      if (!client.write(bytes) && !waitingForDrain) {
        waitingForDrain = true
        upstream.pause()
        client.once('drain', () => {
          waitingForDrain = false
          if (mode === 'pass') upstream.resume()
        })
      }
    }

    const inject = (/** @type {Buffer} */ after) => {
      const current = /** @type {string} */ (kind)
      count(current)
      switch (current) {
        case 'close':
          mode = 'dead'
          upstream.destroy()
          client.end()
          break
        case 'reset':
          mode = 'dead'
          upstream.destroy()
          client.resetAndDestroy()
          break
        case 'stall':
          // Nothing more, and no FIN: only the client's read timeout can notice.
          mode = 'stalled'
          upstream.pause()
          break
        default:
          mode = 'drip'
          upstream.pause()
          queue = after.length > 0 ? [after] : []
          dripLeft = integer(drip.minBytes, drip.maxBytes)
          setTimeout(dripOne, drip.intervalMs)
      }
    }

    const dripOne = () => {
      if (mode !== 'drip' || client.destroyed) return
      const first = queue[0]
      if (first === undefined) {
        // Nothing buffered: let one more chunk in (onUpstream queues it and pauses again).
        upstream.resume()
        setTimeout(dripOne, drip.intervalMs)
        return
      }
      client.write(first.subarray(0, 1))
      sent++
      stats.drippedBytes++
      if (first.length > 1) queue[0] = first.subarray(1)
      else queue.shift()
      if (--dripLeft > 0) {
        setTimeout(dripOne, drip.intervalMs)
        return
      }
      // The drip is over: flush what queued up, then flow, with the next fault drawn.
      mode = 'pass'
      kind = draw(streamKinds)
      faultAt =
        kind === undefined
          ? Number.POSITIVE_INFINITY
          : sent + nextOffset(lastEventId + sent / bytesPerEvent)
      const queued = queue
      queue = []
      for (const bytes of queued) onUpstream(bytes)
      if (mode === 'pass' && !waitingForDrain) upstream.resume()
    }

    const onUpstream = (/** @type {Buffer} */ chunk) => {
      if (mode === 'drip') {
        queue.push(chunk)
        upstream.pause()
        return
      }
      if (mode !== 'pass') return
      const room = faultAt - sent
      if (chunk.length <= room) {
        write(chunk)
        return
      }
      if (room > 0) write(chunk.subarray(0, room))
      inject(chunk.subarray(room))
    }
    upstream.on('data', onUpstream)
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = /** @type {net.AddressInfo} */ (server.address())
  origin = `http://127.0.0.1:${address.port}`

  return {
    origin,
    stats,
    /** Faults still in the budget. */
    get remaining() {
      return remaining
    },
    /** Stops listening and destroys every connection (stalled and dripping ones included). */
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    },
  }
}
