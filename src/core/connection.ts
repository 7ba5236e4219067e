import { originOf } from '#platform'
import type { ErrorDetails } from '../events.js'
import type { ResponseHead, Transport, TransportHandle } from '../transports/transport.js'
import type { CredentialsMode, ErrorReason, ResponseHeadersLike } from '../types.js'
import { createEventStream } from './event-stream.js'
import { mimeEssence } from './mime.js'
import { buildRequest, canSendId, hasCredentials, type PreparedRequest } from './request.js'
import { setClampedTimeout } from './timers.js'

/** The values of `EventSource.readyState`. @internal */
export const CONNECTING = 0
/** @internal */
export const OPEN = 1
/** @internal */
export const CLOSED = 2
/** @internal */
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED

/** What the connection tells the object users hold. @internal */
export interface ConnectionListener {
  /** readyState is now OPEN. */
  open(status: number, headers: ResponseHeadersLike): void
  /** A message to dispatch; readyState is OPEN. */
  message(type: string, data: string, lastEventId: string, origin: string): void
  /** readyState is now CONNECTING (`willRetry`) or CLOSED. */
  error(details: ErrorDetails): void
}

/** What the processing model reads of the options (the extensions read more). @internal */
export interface ConnectionOptions {
  readonly credentials: CredentialsMode
  readonly method: string
  /** [spec] the initial "last event ID string" (the `lastEventId` option; empty in the spec). */
  readonly lastEventId: string
  /** Largest line or event buffered before the connection fails (event-stream.ts). */
  readonly maxBufferSize: number
}

/** A failed attempt as the processing model sees it, before any retry policy. @internal */
export interface AttemptFailure {
  readonly reason: ErrorReason
  /** Set by the extensions (the core leaves describing a failure to them). */
  readonly message?: string
  readonly status?: number
  readonly headers?: ResponseHeadersLike
  readonly cause?: unknown
}

// [spec] the spec's request has no author headers and no body.
const SPEC_REQUEST: PreparedRequest = { headers: [], body: null }

/**
 * The processing model of WHATWG HTML "Server-sent events", in the spec's named steps: connect,
 * processResponse, network error, announce, dispatch, reestablish, fail, close; nothing else.
 * The extensions (hooks, backoff and the retry policy, the read timeout, the page's signals)
 * override its protected steps in `ExtendedConnection` (extended-connection.ts), so the W3C-only
 * tier, which uses this class as it is, carries none of their code. It knows no platform:
 * requests go through the transport it is handed, events go to its listener.
 *
 * The protected members' names are shortened in every build (mangle.mjs lists them): a new one
 * belongs there too.
 * @internal
 */
export class Connection {
  readyState: ReadyState = CONNECTING
  /** [spec] "last event ID string". */
  lastEventId: string
  /** [spec] "reconnection time": 3000 ms until a stream's `retry` field replaces it. */
  reconnectionTime = 3000
  /** The pending "reestablish the connection" wait, if any. */
  protected reconnectTimer: ReturnType<typeof setTimeout> | undefined

  readonly #transport: Transport
  readonly #listener: ConnectionListener
  #handle: TransportHandle | undefined
  /** A fresh request replaces a full XMLHttpRequest buffer: invisible to users (no events). */
  #recycling = false
  /** Serialized origin of the current response's final URL (after redirects). */
  #origin = 'null'

  /** The URL the source was constructed with. */
  protected readonly streamUrl: string
  protected readonly connectionOptions: ConnectionOptions

  constructor(
    url: string,
    options: ConnectionOptions,
    transport: Transport,
    listener: ConnectionListener,
  ) {
    this.streamUrl = url
    this.connectionOptions = options
    this.#transport = transport
    this.#listener = listener
    this.lastEventId = options.lastEventId
  }

  /** [spec] constructor step 15 and "reestablish the connection" step 5: fetch the request. */
  connect(): void {
    this.sendRequest(this.streamUrl, SPEC_REQUEST)
  }

  /** [spec] close(): abort the fetch, cancel a pending reconnect, readyState CLOSED. No event. */
  close(): void {
    this.readyState = CLOSED
    this.stopAttempt()
  }

  /** Sends the request of one attempt and interprets its response. */
  protected sendRequest(url: string, prepared: PreparedRequest): void {
    // fetch refuses a URL with credentials and node:http would send them as Basic auth: as
    // Chromium does, fail the connection without a request, the same in every build (on the
    // next task: never from inside the constructor). The message does not repeat the URL.
    if (hasCredentials(url)) {
      const message = 'The URL has credentials (user:password@), which EventSource never sends'
      const timer = setTimeout(() => {
        this.stopAttempt()
        this.failTheConnection({ reason: 'scheme', message, cause: new TypeError(message) })
      }, 0)
      this.#handle = { abort: () => clearTimeout(timer) }
      return
    }
    const stream = createEventStream(
      {
        onEvent: (type, data) => this.#dispatchTheEvent(type, data),
        onId: (id) => {
          if (this.readyState !== CLOSED && canSendId(id)) this.lastEventId = id
        },
        onRetry: (milliseconds) => {
          if (this.readyState !== CLOSED) this.reconnectionTime = milliseconds
        },
        onOverflow: () => {
          // Retrying would meet the same oversized event: fail instead of growing without bound.
          this.stopAttempt()
          this.failTheConnection({ reason: 'overflow' })
        },
      },
      this.connectionOptions.maxBufferSize,
    )
    this.#handle = this.#transport(
      buildRequest(url, prepared, this.lastEventId, this.connectionOptions),
      {
        onResponse: (head) => this.#processResponse(head),
        onChunk: (chunk) => stream.feed(chunk),
        // [spec] processEventSourceEndOfBody: the body ended without a network error. The parser
        // still holds an unterminated last block, which is dropped with it.
        onEnd: () => this.attemptFailed({ reason: 'end' }, true),
        onError: (error, fatal) => this.#processNetworkError(error, fatal),
        // Not while the unfinished event is most of the buffer: the fresh request would receive
        // it again and reach the bound inside it again, forever.
        onRecycle: (buffered) => {
          if (stream.held * 2 <= buffered) this.#recycle()
        },
      },
    )
  }

  /** [spec] constructor step 15, processResponse. */
  #processResponse(head: ResponseHead): void {
    if (this.readyState === CLOSED) return
    // "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`, then
    // fail the connection" (204 and every other status included).
    if (
      head.status === 200 &&
      mimeEssence(head.headers.get('Content-Type')) === 'text/event-stream'
    ) {
      this.#origin = originOf(head.url || this.streamUrl)
      this.announceTheConnection(head)
      return
    }
    this.attemptFailed(
      {
        reason: head.status === 200 ? 'content-type' : 'http',
        status: head.status,
        headers: head.headers,
      },
      false,
    )
  }

  /**
   * [spec] constructor step 15.2: "if res is a network error, then reestablish the connection,
   * unless the user agent knows that to be futile, in which case the user agent may fail the
   * connection". Futile, as browsers judge it: a scheme other than HTTP(S) (ftp:, about:,
   * mailto:, javascript:), which no retry can fetch. Futile too: a `fetch` that breaks its
   * contract (`fatal`), a programming error that must not look like a flaky network.
   */
  #processNetworkError(error: unknown, fatal?: boolean): void {
    if (!fatal && /^https?:/i.test(this.streamUrl)) {
      this.attemptFailed({ reason: 'network', cause: error }, true)
      return
    }
    this.stopAttempt()
    this.failTheConnection(
      fatal
        ? { reason: 'hook', message: (error as Error).message, cause: error }
        : { reason: 'scheme', cause: error },
    )
  }

  /**
   * The transport's buffer is full (XMLHttpRequest, the one transport that asks): request again
   * now, resuming from the last event ID, with readyState left OPEN and no `open` event. A short
   * partial event is dropped with the old request; a server that honours Last-Event-ID sends it
   * again, so nothing is lost or repeated.
   */
  #recycle(): void {
    this.stopAttempt()
    if (this.readyState === CLOSED) return
    this.#recycling = true
    this.connect()
  }

  /**
   * [spec] "announce the connection": readyState OPEN, fire `open`; nothing for the response
   * that replaces a recycled request (see #recycle).
   */
  protected announceTheConnection(head: ResponseHead): void {
    if (this.#recycling) {
      this.#recycling = false
      return
    }
    this.readyState = OPEN
    this.#listener.open(head.status, head.headers)
  }

  /** [spec] "dispatch the event", from step 4 on (the parser did steps 1–3). */
  #dispatchTheEvent(type: string, data: string): void {
    // "if readyState is not set to CLOSED": close() from a handler stops the rest of the chunk.
    if (this.readyState === CLOSED) return
    this.#listener.message(type, data, this.lastEventId, this.#origin)
  }

  /** A failed attempt: releases it, then lets `decideAfterFailure` answer, unless close() came first. */
  protected attemptFailed(failure: AttemptFailure, retry: boolean): void {
    this.stopAttempt()
    this.#recycling = false
    if (this.readyState !== CLOSED) this.decideAfterFailure(failure, retry)
  }

  /**
   * The spec's decision: "reestablish the connection" after the reconnection time where it
   * says so (`retry`: the end of the stream, a network error), "fail the connection" otherwise.
   * ExtendedConnection puts the retry policy here.
   */
  protected decideAfterFailure(failure: AttemptFailure, retry: boolean): void {
    if (retry)
      this.reestablishTheConnection({ ...failure, willRetry: true, delay: this.reconnectionTime })
    else this.failTheConnection(failure)
  }

  /** [spec] "reestablish the connection". */
  protected reestablishTheConnection(details: ErrorDetails): void {
    // Step 1: readyState CONNECTING and `error`; step 2: wait the reconnection time (step 3:
    // "optionally, wait some more": the backoff), measured from now. The timer is set first so
    // a handler calling close() finds it and clears it.
    this.readyState = CONNECTING
    this.reconnectTimer = setClampedTimeout(() => {
      this.reconnectTimer = undefined
      // Step 5.1: "If the EventSource object's readyState attribute is not set to CONNECTING,
      // then return."
      if (this.readyState === CONNECTING) this.connect()
    }, details.delay as number)
    this.#listener.error(details)
  }

  /** [spec] "fail the connection": readyState CLOSED, fire `error`, never reconnect. */
  protected failTheConnection(details: Omit<ErrorDetails, 'willRetry'>): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#listener.error({ ...details, willRetry: false })
  }

  /** Releases the request and the reconnect timer, so nothing keeps a Node process alive. */
  protected stopAttempt(): void {
    this.#handle?.abort()
    this.#handle = undefined
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
  }
}
