/**
 * HTTP/2 for the Node transport (node:http2): the sessions to one origin, shared by every source
 * in the process, and one request over them. Thousands of sources to one origin then cost one
 * TLS connection, and a stream costs a fraction of what an HTTP/1.1 connection does (bench/).
 * @internal
 */
import { EventEmitter } from 'node:events'
import type * as http2 from 'node:http2'
import type { Duplex } from 'node:stream'
import type { NodeBody, RawResponse } from './node-response.js'

/**
 * How long a session without streams stays open for the next attempt: as long as Node's global
 * agent keeps an idle socket. It never keeps the process alive (unref'd).
 */
const IDLE_MS = 5000
/**
 * Flow-control windows: 1 MiB per stream and 16 MiB per session (browsers allow more), so a busy
 * stream never waits a round trip per 64 KiB, and one stream that is not read fast enough cannot
 * use up the session's window and stall the others. Windows are permissions, not buffers: the
 * transport reads every stream as its bytes arrive.
 */
const STREAM_WINDOW = 1 << 20
const SESSION_WINDOW = 16 << 20
/** node:http2's 10 MB default counts every open stream: ten thousand idle sources need more. */
const MAX_SESSION_MEMORY_MB = 256
/** RST_STREAM codes (RFC 9113 §7). */
const NO_ERROR = 0
const CANCEL = 8
/**
 * node:http2, loaded when the first HTTP/2 session opens: it costs a few milliseconds to load,
 * which a process that never speaks HTTP/2 should not pay before its first event.
 */
let loaded: Promise<typeof http2> | undefined
const loadHttp2 = (): Promise<typeof http2> => {
  loaded ??= import('node:http2')
  return loaded
}
/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); `host` becomes `:authority`. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'host',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
])

/** One session of the pool and the streams it carries. */
class PooledSession {
  /** Streams open or reserved on it. */
  streams = 0
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  limit = 0
  /** No new stream: the server sent GOAWAY, or the session failed or closed. */
  closing = false
  #idle: ReturnType<typeof setTimeout> | undefined

  constructor(readonly session: http2.ClientHttp2Session) {}

  get hasRoom(): boolean {
    return !this.closing && !this.session.destroyed && this.streams < this.limit
  }

  /** Takes a stream slot; the session keeps the process alive while it has streams. */
  reserve(): void {
    this.streams++
    if (this.streams !== 1) return
    clearTimeout(this.#idle)
    this.#idle = undefined
    this.session.ref()
  }

  /** Gives a slot back; the last one lets the process exit and starts the idle timer. */
  free(): void {
    this.streams--
    if (this.streams !== 0 || this.session.destroyed) return
    this.session.unref()
    this.#idle = setTimeout(() => this.session.close(), IDLE_MS)
    this.#idle.unref()
  }

  stopIdleTimer(): void {
    clearTimeout(this.#idle)
  }
}

/**
 * The HTTP/2 sessions to one origin. A request takes a session with room for another stream
 * (the server's SETTINGS_MAX_CONCURRENT_STREAMS), or opens one; requests that arrive while a
 * session is being opened wait for it instead of opening their own. A session without streams
 * closes after `IDLE_MS`; one that gets GOAWAY takes no new stream (its streams run to their
 * end); when the last one is gone, `onEmpty` runs.
 * @internal
 */
export class Http2Origin {
  readonly #origin: string
  readonly #connect: () => Promise<Duplex>
  readonly #onEmpty: () => void
  readonly #sessions: PooledSession[] = []
  #opening: Promise<PooledSession> | undefined
  /** The connection ALPN was negotiated on: the first session's. */
  #first: Duplex | undefined

  /**
   * @param origin - `https://host:port` (or `http://` for h2c)
   * @param connect - opens a connection that speaks h2, unref'd (callers keep the process alive)
   * @param first - an h2 connection made already (the ALPN negotiation's), used first
   */
  constructor(origin: string, connect: () => Promise<Duplex>, onEmpty: () => void, first?: Duplex) {
    this.#origin = origin
    this.#connect = connect
    this.#onEmpty = onEmpty
    this.#first = first
    // Open the first session now: a negotiated connection must not sit unused.
    if (first !== undefined) this.#openOnce().catch(() => undefined)
  }

  /** Sends one request on a session of this origin (see `SendRequest` in node-response.ts). */
  async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | null,
    onCancel: (cancel: () => void) => void,
  ): Promise<RawResponse> {
    const pooled = await waiting(this.#acquire(), onCancel, (late) => late.free())
    return request(pooled, url, method, headers, body, onCancel)
  }

  /** A session with a reserved slot. Bounded: each turn opens a session with room, or throws. */
  async #acquire(): Promise<PooledSession> {
    for (;;) {
      const free = this.#sessions.find((pooled) => pooled.hasRoom)
      if (free !== undefined) {
        free.reserve()
        return free
      }
      const opened = await this.#openOnce()
      // Many were waiting: the new session may be full already, then another one opens.
      if (opened.limit === 0) throw new Error('The HTTP/2 server allows no stream')
    }
  }

  #openOnce(): Promise<PooledSession> {
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined
      // A first session that failed: the next attempt negotiates again.
      if (this.#sessions.length === 0) this.#onEmpty()
    })
    return this.#opening
  }

  async #open(): Promise<PooledSession> {
    const first = this.#first
    this.#first = undefined
    const [{ connect }, socket] = await Promise.all([loadHttp2(), first ?? this.#connect()])
    const session = connect(this.#origin, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    })
    const pooled = new PooledSession(session)
    session.on('error', () => {
      pooled.closing = true
    })
    // Node closes the session itself after GOAWAY: streams the server will still serve end
    // normally, the others fail (REFUSED_STREAM) and their sources reconnect on a new session.
    session.on('goaway', () => {
      pooled.closing = true
    })
    session.on('remoteSettings', (settings) => {
      pooled.limit = settings.maxConcurrentStreams ?? Number.POSITIVE_INFINITY
    })
    session.once('close', () => {
      pooled.closing = true
      pooled.stopIdleTimer()
      const index = this.#sessions.indexOf(pooled)
      if (index !== -1) this.#sessions.splice(index, 1)
      if (this.#sessions.length === 0 && this.#opening === undefined) this.#onEmpty()
    })
    // Ready once the server's SETTINGS are in: only then is its stream limit known.
    await new Promise<void>((resolve, reject) => {
      const settled = (error?: Error) => {
        session.off('remoteSettings', ready)
        session.off('error', settled)
        session.off('close', settled)
        if (error === undefined && !session.destroyed) resolve()
        else reject(error ?? new Error('The HTTP/2 connection closed before its settings arrived'))
      }
      const ready = () => settled()
      session.once('remoteSettings', ready)
      session.once('error', settled)
      session.once('close', settled)
    })
    session.setLocalWindowSize(SESSION_WINDOW)
    this.#sessions.push(pooled)
    // Idle until a request reserves it (and closed after IDLE_MS if none does).
    pooled.streams = 1
    pooled.free()
    return pooled
  }
}

/** One request as a stream of `pooled`, whose slot it holds until the stream closes. */
function request(
  pooled: PooledSession,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  onCancel: (cancel: () => void) => void,
): Promise<RawResponse> {
  const target = new URL(url)
  const outgoing: http2.OutgoingHttpHeaders = {
    ':method': method,
    ':scheme': target.protocol.slice(0, -1),
    ':authority': target.host,
    ':path': `${target.pathname}${target.search}`,
  }
  for (const name in headers) {
    // `te` may only say `trailers` in HTTP/2.
    if (!CONNECTION_HEADERS.has(name) && name !== 'te') outgoing[name] = headers[name]
  }
  // As fetch does: a POST or PUT without a body says so.
  if (body === null && (method === 'POST' || method === 'PUT')) outgoing['content-length'] ??= '0'
  let stream: http2.ClientHttp2Stream
  try {
    stream = pooled.session.request(outgoing, { endStream: body === null })
  } catch (error) {
    // The session closed between the choice and now (GOAWAY, an error).
    pooled.free()
    return Promise.reject(error)
  }
  stream.once('close', () => pooled.free())
  if (body !== null) stream.end(body)
  return new Promise((resolve, reject) => {
    onCancel(() => stream.close(CANCEL))
    stream.once('response', (head) => {
      resolve({
        statusCode: Number(head[':status']),
        headers: head,
        body: new Http2Body(stream),
        reusable: false,
      })
    })
    // Before the response this fails the attempt; after it, the body reports the failure.
    stream.on('error', reject)
    stream.once('close', () => {
      reject(new Error(`The HTTP/2 stream closed before a response (code ${stream.rstCode})`))
    })
  })
}

/**
 * A response stream as a body: its end is known only when the stream closes. node:http2 ends the
 * readable side of every stream of a session that is torn down (code CANCEL), and of a stream
 * the server resets, just as it ends one the server finished (END_STREAM): only the close code
 * tells them apart, and anything but NO_ERROR is a failure, never the end of the event stream.
 */
class Http2Body extends EventEmitter implements NodeBody {
  readonly #stream: http2.ClientHttp2Stream
  #ended = false

  constructor(stream: http2.ClientHttp2Stream) {
    super()
    this.#stream = stream
    let failure: Error | undefined
    stream.on('data', (chunk: Uint8Array) => this.emit('data', chunk))
    stream.on('error', (error: Error) => {
      failure ??= error
    })
    stream.once('close', () => {
      if (stream.rstCode === NO_ERROR && stream.readableEnded) {
        this.#ended = true
        this.emit('end')
      } else if (this.listenerCount('error') > 0) {
        this.emit(
          'error',
          failure ??
            new Error(`The HTTP/2 stream closed before its end (code ${stream.rstCode ?? 'none'})`),
        )
      }
      this.emit('close')
    })
  }

  get readableEnded(): boolean {
    return this.#ended
  }

  get destroyed(): boolean {
    return this.#stream.destroyed
  }

  destroy(): void {
    this.#stream.destroy()
  }
}

/**
 * `promise`, with the process kept alive until it settles: connections being negotiated or
 * opened are unref'd (no source may be left waiting on them once every source has closed), so
 * each request waiting for one holds the process itself, as a connecting socket would. `cancel`
 * (from the transport's abort) lets go at once; a value that comes after it goes to `discard`.
 * @internal
 */
export function waiting<T>(
  promise: Promise<T>,
  onCancel: (cancel: () => void) => void,
  discard?: (late: T) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let cancelled = false
    const hold = setInterval(() => undefined, 2 ** 31 - 1)
    const done = () => clearInterval(hold)
    onCancel(() => {
      cancelled = true
      done()
      reject(new Error('aborted before sending'))
    })
    promise.then(
      (value) => {
        done()
        if (cancelled) discard?.(value)
        else resolve(value)
      },
      (error: unknown) => {
        done()
        reject(error)
      },
    )
  })
}
