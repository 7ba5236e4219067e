import { originOf } from '#platform'
import type { ErrorDetails } from '../events.js'
import type { ResponseHead, Transport, TransportHandle } from '../transports/transport.js'
import type { ConnectContext, ResponseHeadersLike } from '../types.js'
import { createEventStream } from './event-stream.js'
import { mimeEssence } from './mime.js'
import type { NormalizedOptions } from './options.js'
import { pageIsHidden, watchPage } from './page-lifecycle.js'
import { type ReadWatchdog, watchReads } from './read-timeout.js'
import {
  buildRequest,
  canSendId,
  HookError,
  hasCredentials,
  isThenable,
  type PreparedRequest,
  prepareRequest,
  requestUrl,
} from './request.js'
import {
  decideRetry,
  type Failure,
  NATIVE_RETRY_POLICY,
  parseRetryAfter,
  retriesStatus,
} from './retry.js'
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

/**
 * The processing model of WHATWG HTML "Server-sent events", in the spec's named steps: connect,
 * processResponse, network error, announce, dispatch, reestablish, fail, close. The extensions
 * come in as inputs to those steps, each from its own module: the request (request.ts), the
 * retry decision (retry.ts), the read timeout (read-timeout.ts), the page's signals
 * (page-lifecycle.ts). It knows no platform: requests go through the transport it is handed,
 * events go to its listener.
 * @internal
 */
export class Connection {
  readyState: ReadyState = CONNECTING
  /** [spec] "last event ID string", seeded by the `lastEventId` option. */
  lastEventId: string
  /** [spec] "reconnection time", replaced by a stream's `retry` field. */
  reconnectionTime: number

  readonly #url: string
  readonly #options: NormalizedOptions
  readonly #transport: Transport
  readonly #listener: ConnectionListener
  #handle: TransportHandle | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #readWatchdog: ReadWatchdog | undefined
  /** Requests made so far (the `attempt` hooks see). */
  #attempts = 0
  /** Consecutive failed attempts, for backoff and `maxAttempts`. */
  #failures = 0
  /** When the current response was announced; undefined before. */
  #openedAt: number | undefined
  /** Bumped by every connect/stop, so a late async hook result for an old attempt is dropped. */
  #generation = 0
  #pausedWhileHidden = false
  /** A fresh request replaces a full XMLHttpRequest buffer: invisible to users (no events). */
  #recycling = false
  #stopWatchingPage: (() => void) | undefined
  /** Serialized origin of the current response's final URL (after redirects). */
  #origin = 'null'

  constructor(
    url: string,
    options: NormalizedOptions,
    transport: Transport,
    listener: ConnectionListener,
  ) {
    this.#url = url
    this.#options = options
    this.#transport = transport
    this.#listener = listener
    this.lastEventId = options.lastEventId
    this.reconnectionTime = (options.retry || NATIVE_RETRY_POLICY).initialDelay
    this.#watchPage()
  }

  /** [spec] constructor step 15 and "reestablish the connection" step 5: fetch the request. */
  connect(): void {
    if (hasCredentials(this.#url)) {
      const message = 'The URL has credentials (user:password@), which EventSource never sends'
      this.#failSoon({ reason: 'scheme', message, cause: new TypeError(message) })
      return
    }
    if (this.#options.pauseWhenHidden && pageIsHidden()) {
      this.#pausedWhileHidden = true
      return
    }
    const generation = ++this.#generation
    this.#attempts++
    this.#openedAt = undefined
    // readTimeout runs from the start of the attempt: a `headers` or `body` function that never
    // settles ends in an `error` event and a retry too, not a source CONNECTING forever.
    this.#readWatchdog = this.#watchReads()
    const url = requestUrl(this.#url, this.#options, this.lastEventId)
    const context: ConnectContext = { attempt: this.#attempts, lastEventId: this.lastEventId, url }
    const current = () => generation === this.#generation && this.readyState !== CLOSED
    let prepared: PreparedRequest | Promise<PreparedRequest>
    try {
      prepared = prepareRequest(this.#options, context)
    } catch (error) {
      // Never fire from inside the constructor (or reconnect()): listeners are not attached yet.
      setTimeout(() => {
        if (current()) this.#hookFailed(error)
      }, 0)
      return
    }
    if (isThenable(prepared)) {
      prepared.then(
        (request) => {
          if (current()) this.#send(url, request)
        },
        (error: unknown) => {
          if (current()) this.#hookFailed(error)
        },
      )
    } else {
      this.#send(url, prepared)
    }
  }

  /** [spec] close(): abort the fetch, cancel a pending reconnect, readyState CLOSED. No event. */
  close(): void {
    this.readyState = CLOSED
    this.#stop()
    this.#stopWatchingPage?.()
    this.#stopWatchingPage = undefined
  }

  /** Drops the current connection (if any) and connects again now, keeping the last event ID. */
  reconnect(): void {
    this.#stop()
    this.#failures = 0
    this.#pausedWhileHidden = false
    this.readyState = CONNECTING
    if (this.#stopWatchingPage === undefined) this.#watchPage()
    this.connect()
  }

  #send(url: string, prepared: PreparedRequest): void {
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
          const message = `A line or event exceeded maxBufferSize (${this.#options.maxBufferSize} bytes)`
          this.#stop()
          this.#failTheConnection({ reason: 'overflow', message, cause: new Error(message) })
        },
      },
      this.#options.maxBufferSize,
    )
    const watchdog = this.#readWatchdog
    this.#handle = this.#transport(buildRequest(url, prepared, this.lastEventId, this.#options), {
      onResponse: (head) => {
        if (watchdog !== undefined) watchdog.lastActivity = Date.now()
        this.#processResponse(head)
      },
      onChunk: (chunk) => {
        if (watchdog !== undefined) watchdog.lastActivity = Date.now()
        stream.feed(chunk)
      },
      // [spec] processEventSourceEndOfBody: the body ended without a network error. The parser
      // still holds an unterminated last block, which is dropped with it.
      onEnd: () =>
        this.#attemptFailed({ reason: 'end', message: 'The stream ended', retryByDefault: true }),
      onError: (error) => this.#processNetworkError(error),
      // Not while the unfinished event is most of the buffer: the fresh request would receive
      // it again and reach the bound inside it again, forever.
      onRecycle: (buffered) => {
        if (stream.held * 2 <= buffered) this.#recycle()
      },
    })
  }

  /** The `readTimeout` watchdog of an attempt, or undefined without a timeout. */
  #watchReads(): ReadWatchdog | undefined {
    const timeout = this.#options.readTimeout
    if (timeout === Infinity) return undefined
    return watchReads(timeout, () => {
      const message =
        this.#handle === undefined
          ? `The "headers" or "body" function did not settle within ${timeout} ms`
          : `No data received for ${timeout} ms`
      this.#attemptFailed({
        reason: 'timeout',
        message,
        cause: new Error(message),
        retryByDefault: true,
      })
    })
  }

  /** [spec] constructor step 15, processResponse. */
  #processResponse(head: ResponseHead): void {
    if (this.readyState === CLOSED) return
    const contentType = head.headers.get('Content-Type')
    // "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`, then
    // fail the connection" (204 and every other status included), unless opted in to retry.
    if (head.status === 200 && mimeEssence(contentType) === 'text/event-stream') {
      this.#origin = originOf(head.url || this.#url)
      this.#openedAt = Date.now()
      if (this.#recycling) this.#recycling = false
      else this.#announceTheConnection(head)
      return
    }
    this.#attemptFailed({
      reason: head.status === 200 ? 'content-type' : 'http',
      message:
        head.status === 200
          ? `Expected Content-Type text/event-stream, got ${contentType === null ? 'none' : JSON.stringify(contentType)}`
          : `HTTP ${head.status}`,
      status: head.status,
      headers: head.headers,
      retryByDefault: retriesStatus(this.#options.retry, head.status, this.#options.method),
      retryAfter: parseRetryAfter(head.headers.get('Retry-After'), Date.now()),
    })
  }

  /**
   * [spec] constructor step 15.2: "if res is a network error, then reestablish the connection,
   * unless the user agent knows that to be futile, in which case the user agent may fail the
   * connection". Futile, as browsers judge it: a scheme other than HTTP(S) (ftp:, about:,
   * mailto:, javascript:), which no retry can fetch.
   */
  #processNetworkError(error: unknown): void {
    const message = `Network error: ${innermostMessage(error)}`
    if (!/^https?:/i.test(this.#url)) {
      this.#stop()
      this.#failTheConnection({ reason: 'scheme', message, cause: error })
      return
    }
    this.#attemptFailed({ reason: 'network', message, cause: error, retryByDefault: true })
  }

  /** A HookError is retried; anything else preparing throws (a one-shot body) fails the connection. */
  #hookFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    if (!(error instanceof HookError)) {
      this.#stop()
      this.#failTheConnection({ reason: 'hook', message, cause: error })
      return
    }
    this.#attemptFailed({ reason: 'hook', message, cause: error.cause, retryByDefault: true })
  }

  /**
   * The transport's buffer is full (XMLHttpRequest, the one transport that asks): request again
   * now, resuming from the last event ID, with readyState left OPEN and no `open` event. A short
   * partial event is dropped with the old request; a server that honours Last-Event-ID sends it
   * again, so nothing is lost or repeated.
   */
  #recycle(): void {
    this.#stop()
    if (this.readyState === CLOSED) return
    this.#recycling = true
    this.connect()
  }

  /** [spec] "announce the connection": readyState OPEN, fire `open`. */
  #announceTheConnection(head: ResponseHead): void {
    this.readyState = OPEN
    this.#listener.open(head.status, head.headers)
  }

  /** [spec] "dispatch the event", from step 4 on (the parser did steps 1–3). */
  #dispatchTheEvent(type: string, data: string): void {
    // "if readyState is not set to CLOSED": close() from a handler stops the rest of the chunk.
    if (this.readyState === CLOSED) return
    this.#listener.message(type, data, this.lastEventId, this.#origin)
  }

  /** A failed attempt: "reestablish the connection" or "fail the connection", as retry.ts decides. */
  #attemptFailed(failure: Failure): void {
    this.#stop()
    this.#recycling = false
    if (this.readyState === CLOSED) return
    const details = decideRetry(
      failure,
      this.#options,
      {
        lastEventId: this.lastEventId,
        reconnectionTime: this.reconnectionTime,
        failures: this.#failures,
        openFor: this.#openedAt === undefined ? undefined : Date.now() - this.#openedAt,
      },
      Math.random(),
    )
    this.#failures = details.attempt
    if (details.willRetry) this.#reestablishTheConnection(details)
    else this.#failTheConnection(details)
  }

  /** [spec] "reestablish the connection". */
  #reestablishTheConnection(details: ErrorDetails): void {
    // Step 1: readyState CONNECTING and `error`; step 2: wait the reconnection time (step 3:
    // "optionally, wait some more": the backoff), measured from now. The timer is set first so
    // a handler calling close() finds it and clears it.
    this.readyState = CONNECTING
    this.#reconnectTimer = setClampedTimeout(() => {
      this.#reconnectTimer = undefined
      // Step 5.1: "If the EventSource object's readyState attribute is not set to CONNECTING,
      // then return."
      if (this.readyState === CONNECTING) this.connect()
    }, details.delay as number)
    this.#listener.error(details)
  }

  /** Fails the connection on the next task: never from inside the constructor or reconnect(). */
  #failSoon(details: Omit<ErrorDetails, 'willRetry'>): void {
    const generation = ++this.#generation
    setTimeout(() => {
      if (generation === this.#generation) this.#failTheConnection(details)
    }, 0)
  }

  /** [spec] "fail the connection": readyState CLOSED, fire `error`, never reconnect. */
  #failTheConnection(details: Omit<ErrorDetails, 'willRetry'>): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#stopWatchingPage?.()
    this.#stopWatchingPage = undefined
    this.#listener.error({ ...details, willRetry: false })
  }

  /** `pauseWhenHidden` and `reconnectWhenOnline`: the page's signals. */
  #watchPage(): void {
    this.#stopWatchingPage = watchPage(this.#options, {
      hidden: () => {
        if (this.readyState === CLOSED) return
        this.#stop()
        this.readyState = CONNECTING
        this.#pausedWhileHidden = true
      },
      visible: () => {
        if (!this.#pausedWhileHidden || this.readyState === CLOSED) return
        this.#pausedWhileHidden = false
        this.connect()
      },
      online: () => {
        if (this.#reconnectTimer === undefined || this.readyState !== CONNECTING) return
        this.#stop()
        this.connect()
      },
    })
  }

  /** Releases the request and the timers, so nothing keeps a Node process alive. */
  #stop(): void {
    this.#generation++
    this.#handle?.abort()
    this.#handle = undefined
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    this.#readWatchdog?.stop()
    this.#readWatchdog = undefined
  }
}

/**
 * fetch reports every failure as "fetch failed"; the reason (ECONNREFUSED, a certificate error,
 * a proxy's 407) is in its `cause` chain. The innermost message is the useful one.
 */
function innermostMessage(error: unknown): string {
  let current = error
  for (let depth = 0; depth < 8; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause
    if (!(cause instanceof Error)) break
    current = cause
  }
  return current instanceof Error ? current.message : String(current)
}
