import { createEventStream } from './event-stream.js'
import { mimeEssence } from './mime.js'
import type { ResponseHead, Transport, TransportHandle, TransportRequest } from './transport.js'
import { utf8ByteString } from './utf8.js'

/** The values of `EventSource.readyState`. @internal */
export const CONNECTING = 0
/** @internal */
export const OPEN = 1
/** @internal */
export const CLOSED = 2
/** @internal */
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED

/** [spec] "a reconnection time, in milliseconds … initially an implementation-defined value". */
export const DEFAULT_RECONNECTION_TIME = 3000

// Timers overflow past 2^31 - 1 ms and would fire at once; a server asking for more than
// about 24.8 days gets that instead.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/** What the connection tells the object users hold. @internal */
export interface ConnectionListener {
  /** readyState is now OPEN. */
  open(): void
  /** A message to dispatch; readyState is OPEN. */
  message(type: string, data: string, lastEventId: string, origin: string): void
  /** readyState is now CONNECTING (a reconnect is scheduled) or CLOSED (failed). */
  error(): void
}

/** @internal */
export interface ConnectionOptions {
  readonly url: string
  readonly withCredentials: boolean
  readonly transport: Transport
}

/**
 * The processing model of WHATWG HTML "Server-sent events", in the spec's named steps. It knows
 * no platform: requests go through the transport it is handed, events go to its listener.
 * @internal
 */
export class Connection {
  readyState: ReadyState = CONNECTING
  /** [spec] "last event ID string". */
  lastEventId = ''
  /** [spec] "reconnection time", replaced by a stream's `retry` field. */
  reconnectionTime = DEFAULT_RECONNECTION_TIME

  readonly #options: ConnectionOptions
  readonly #listener: ConnectionListener
  #handle: TransportHandle | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  /** Serialized origin of the current response's final URL (after redirects). */
  #origin = 'null'

  constructor(options: ConnectionOptions, listener: ConnectionListener) {
    this.#options = options
    this.#listener = listener
  }

  /** [spec] constructor step 15 and "reestablish the connection" step 5: fetch the request. */
  connect(): void {
    const stream = createEventStream({
      onEvent: (type, data) => this.#dispatchTheEvent(type, data),
      onId: (id) => {
        if (this.readyState !== CLOSED) this.lastEventId = id
      },
      onRetry: (milliseconds) => {
        if (this.readyState !== CLOSED) this.reconnectionTime = milliseconds
      },
    })
    this.#handle = this.#options.transport(this.#request(), {
      onResponse: (head) => this.#processResponse(head),
      onChunk: (chunk) => stream.feed(chunk),
      // [spec] processEventSourceEndOfBody: the body ended without a network error. The parser
      // still holds an unterminated last block, which is dropped with it.
      onEnd: () => this.#reestablishTheConnection(),
      onError: () => this.#processNetworkError(),
    })
  }

  /** [spec] close(): abort the fetch, cancel a pending reconnect, readyState CLOSED. No event. */
  close(): void {
    this.readyState = CLOSED
    this.#stop()
  }

  #request(): TransportRequest {
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    // [spec] "If ev's last event ID string is not the empty string, set (`Last-Event-ID`, last
    // event ID string, encoded as UTF-8) in request's header list."
    if (this.lastEventId !== '') headers['Last-Event-ID'] = utf8ByteString(this.lastEventId)
    return {
      url: this.#options.url,
      method: 'GET',
      headers,
      // [spec] CORS settings "Anonymous" → credentials mode same-origin; "Use Credentials" → include.
      credentials: this.#options.withCredentials ? 'include' : 'same-origin',
    }
  }

  /** [spec] constructor step 15, processResponse. */
  #processResponse(head: ResponseHead): void {
    if (this.readyState === CLOSED) return
    // "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`, then
    // fail the connection" (204 and every other status included).
    if (
      head.status !== 200 ||
      mimeEssence(head.headers.get('Content-Type')) !== 'text/event-stream'
    ) {
      this.#failTheConnection()
      return
    }
    this.#origin = originOf(head.url || this.#options.url)
    this.#announceTheConnection()
  }

  /**
   * [spec] constructor step 15.2: "if res is a network error, then reestablish the connection,
   * unless the user agent knows that to be futile, in which case the user agent may fail the
   * connection". Futile, as browsers judge it: a scheme other than HTTP(S) (ftp:, about:,
   * mailto:, javascript:), which no retry can fetch.
   */
  #processNetworkError(): void {
    if (/^https?:/i.test(this.#options.url)) this.#reestablishTheConnection()
    else this.#failTheConnection()
  }

  /** [spec] "announce the connection": readyState OPEN, fire `open`. */
  #announceTheConnection(): void {
    this.readyState = OPEN
    this.#listener.open()
  }

  /** [spec] "dispatch the event", from step 4 on (the parser did steps 1–3). */
  #dispatchTheEvent(type: string, data: string): void {
    // "if readyState is not set to CLOSED": close() from a handler stops the rest of the chunk.
    if (this.readyState === CLOSED) return
    this.#listener.message(type, data, this.lastEventId, this.#origin)
  }

  /** [spec] "reestablish the connection". */
  #reestablishTheConnection(): void {
    this.#stop()
    if (this.readyState === CLOSED) return
    // Step 1: readyState CONNECTING and `error`; step 2: wait the reconnection time, measured
    // from now. The timer is set first so a handler calling close() finds it and clears it.
    this.readyState = CONNECTING
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = undefined
        // Step 5.1: "If the EventSource object's readyState attribute is not set to CONNECTING,
        // then return."
        if (this.readyState === CONNECTING) this.connect()
      },
      Math.min(this.reconnectionTime, MAX_TIMER_DELAY),
    )
    this.#listener.error()
  }

  /** [spec] "fail the connection": readyState CLOSED, fire `error`, never reconnect. */
  #failTheConnection(): void {
    this.#stop()
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#listener.error()
  }

  /** Releases the request and the reconnect timer, so nothing keeps a Node process alive. */
  #stop(): void {
    this.#handle?.abort()
    this.#handle = undefined
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'null'
  }
}
