import { createEventStream } from './event-stream.js'
import type { ErrorDetails, ErrorReason } from './events.js'
import { mimeEssence } from './mime.js'
import {
  type ConnectContext,
  headerEntries,
  type NormalizedOptions,
  type ResponseHeadersLike,
} from './options.js'
import { pageIsHidden, watchPage } from './page-lifecycle.js'
import { backoffDelay, isIdempotent, NATIVE_RETRY_POLICY, parseRetryAfter } from './retry.js'
import type { ResponseHead, Transport, TransportHandle, TransportRequest } from './transport.js'
import { originOf, withQueryParam } from './url.js'
import { utf8HeaderValue } from './utf8.js'

/** The values of `EventSource.readyState`. @internal */
export const CONNECTING = 0
/** @internal */
export const OPEN = 1
/** @internal */
export const CLOSED = 2
/** @internal */
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED

// Timers overflow past 2^31 - 1 ms and would fire at once; a server asking for more than
// about 24.8 days gets that instead.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/** What the connection tells the object users hold. @internal */
export interface ConnectionListener {
  /** readyState is now OPEN. */
  open(status: number, headers: ResponseHeadersLike): void
  /** A message to dispatch; readyState is OPEN. */
  message(type: string, data: string, lastEventId: string, origin: string): void
  /** readyState is now CONNECTING (`willRetry`) or CLOSED. */
  error(details: ErrorDetails): void
}

/** A failed attempt, before the retry decision. */
interface Failure {
  readonly reason: ErrorReason
  readonly message: string
  readonly status?: number
  readonly headers?: ResponseHeadersLike
  readonly cause?: unknown
  /** What the spec (or the `retry.statuses` opt-in) does with it. */
  readonly retryByDefault: boolean
  readonly retryAfter?: number | undefined
}

interface PreparedRequest {
  readonly headers: Array<[string, string]>
  readonly body: BodyInit | null
}

/** A hook (`headers`, `body`) that threw or rejected: reported with the hook's name. */
class HookError extends Error {
  constructor(hook: string, cause: unknown) {
    super(`The "${hook}" option threw: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    })
  }
}

/**
 * Calls a hook, then `use` on what it returns (or resolves to): a throw or rejection of either
 * becomes a HookError naming the hook. Async only when the hook is.
 */
function callHook<T, R>(hook: string, call: () => T | PromiseLike<T>, use: (value: T) => R) {
  const fail = (error: unknown): never => {
    throw new HookError(hook, error)
  }
  try {
    const result = call()
    return isThenable(result) ? Promise.resolve(result).then(use).catch(fail) : use(result)
  } catch (error) {
    return fail(error)
  }
}

/**
 * The processing model of WHATWG HTML "Server-sent events", in the spec's named steps, with the
 * extensions (headers, body, backoff, read timeout) as inputs to those steps. It knows no
 * platform: requests go through the transport it is handed, events go to its listener.
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
  #readTimer: ReturnType<typeof setTimeout> | undefined
  #lastActivity = 0
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
    if (this.#options.pauseWhenHidden && pageIsHidden()) {
      this.#pausedWhileHidden = true
      return
    }
    const generation = ++this.#generation
    this.#attempts++
    this.#openedAt = undefined
    const url = this.#requestUrl()
    const context: ConnectContext = { attempt: this.#attempts, lastEventId: this.lastEventId, url }
    const current = () => generation === this.#generation && this.readyState !== CLOSED
    let prepared: PreparedRequest | Promise<PreparedRequest>
    try {
      prepared = this.#prepare(context)
    } catch (error) {
      // Never fire from inside the constructor (or reconnect()): listeners are not attached yet.
      defer(() => {
        if (current()) this.#hookFailed(error)
      })
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

  #requestUrl(): string {
    const param = this.#options.lastEventIdQueryParam
    if (param === undefined || this.lastEventId === '') return this.#url
    return withQueryParam(this.#url, param, this.lastEventId)
  }

  /** Resolves the `headers` and `body` options for one attempt; async only when a hook is. */
  #prepare(context: ConnectContext): PreparedRequest | Promise<PreparedRequest> {
    const headers = this.#resolveHeaders(context)
    const body = this.#resolveBody(context)
    if (isThenable(headers) || isThenable(body)) {
      return Promise.all([headers, body]).then(([h, b]) => ({ headers: h, body: b }))
    }
    return { headers, body }
  }

  #resolveHeaders(
    context: ConnectContext,
  ): Array<[string, string]> | Promise<Array<[string, string]>> {
    const source = this.#options.headers
    if (typeof source !== 'function') return source ?? []
    return callHook('headers', () => source(context), headerEntries)
  }

  #resolveBody(context: ConnectContext): BodyInit | null | Promise<BodyInit | null> {
    const source = this.#options.body
    if (typeof source === 'function') {
      return callHook(
        'body',
        () => source(context),
        (body) => body,
      )
    }
    // A stream can be read once: re-sending it would send an empty body, silently. Not a
    // HookError: retrying cannot help (see #hookFailed).
    if (
      context.attempt > 1 &&
      typeof ReadableStream === 'function' &&
      source instanceof ReadableStream
    ) {
      throw new TypeError(
        'The "body" option is a ReadableStream, which can be sent only once; pass a function that returns a fresh body for each attempt.',
      )
    }
    return source ?? null
  }

  #send(url: string, prepared: PreparedRequest): void {
    const stream = createEventStream(
      {
        onEvent: (type, data) => this.#dispatchTheEvent(type, data),
        onId: (id) => {
          if (this.readyState !== CLOSED) this.lastEventId = id
        },
        onRetry: (milliseconds) => {
          if (this.readyState !== CLOSED) this.reconnectionTime = milliseconds
        },
        onOverflow: (error) => {
          // Retrying would meet the same oversized event: fail instead of growing without bound.
          this.#stop()
          this.#failTheConnection({
            reason: 'overflow',
            message: `A line or event exceeded maxBufferSize (${this.#options.maxBufferSize} characters)`,
            cause: error,
          })
        },
      },
      this.#options.maxBufferSize,
    )
    const watching = this.#options.readTimeout !== Infinity
    this.#handle = this.#transport(this.#request(url, prepared), {
      onResponse: (head) => {
        if (watching) this.#lastActivity = Date.now()
        this.#processResponse(head)
      },
      onChunk: (chunk) => {
        if (watching) this.#lastActivity = Date.now()
        stream.feed(chunk)
      },
      // [spec] processEventSourceEndOfBody: the body ended without a network error. The parser
      // still holds an unterminated last block, which is dropped with it.
      onEnd: () =>
        this.#attemptFailed({ reason: 'end', message: 'The stream ended', retryByDefault: true }),
      onError: (error, fatal) => this.#processNetworkError(error, fatal),
      onRecycle: () => this.#recycle(),
    })
    if (watching) {
      this.#lastActivity = Date.now()
      this.#armReadTimer(this.#options.readTimeout)
    }
  }

  #request(url: string, prepared: PreparedRequest): TransportRequest {
    // A name given twice is combined, as fetch's Headers does (names are lower-cased).
    // `Accept` and `Last-Event-ID` are spelled as `fetch` wrappers written for the eventsource
    // package expect to find them in `init.headers`.
    const headers: Record<string, string> = {}
    for (const [lower, value] of prepared.headers) {
      const name = lower === 'accept' ? 'Accept' : lower
      const previous = headers[name]
      headers[name] = previous === undefined ? value : `${previous}, ${value}`
    }
    // [spec] step 10: Accept, unless the user set their own.
    headers['Accept'] ??= 'text/event-stream'
    // [spec] "If ev's last event ID string is not the empty string, set (`Last-Event-ID`, last
    // event ID string, encoded as UTF-8) in request's header list."
    if (this.lastEventId !== '') headers['Last-Event-ID'] = utf8HeaderValue(this.lastEventId)
    return {
      url,
      method: this.#options.method,
      headers,
      body: prepared.body,
      // [spec] CORS settings "Anonymous" → same-origin; "Use Credentials" → include.
      credentials: this.#options.credentials,
    }
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
    const retry = this.#options.retry
    this.#attemptFailed({
      reason: head.status === 200 ? 'content-type' : 'http',
      message:
        head.status === 200
          ? `Expected Content-Type text/event-stream, got ${contentType === null ? 'none' : JSON.stringify(contentType)}`
          : `HTTP ${head.status}`,
      status: head.status,
      headers: head.headers,
      retryByDefault:
        retry !== false &&
        retry.statuses.indexOf(head.status) !== -1 &&
        isIdempotent(this.#options.method),
      retryAfter: parseRetryAfter(head.headers.get('Retry-After'), Date.now()),
    })
  }

  /**
   * [spec] constructor step 15.2: "if res is a network error, then reestablish the connection,
   * unless the user agent knows that to be futile, in which case the user agent may fail the
   * connection". Futile, as browsers judge it: a scheme other than HTTP(S) (ftp:, about:,
   * mailto:, javascript:), which no retry can fetch. Futile too: a `fetch` option that breaks
   * its contract (`fatal`), a programming error that must not look like a flaky network.
   */
  #processNetworkError(error: unknown, fatal?: boolean): void {
    if (fatal) {
      this.#stop()
      this.#failTheConnection({ reason: 'hook', message: (error as Error).message, cause: error })
      return
    }
    const message = `Network error: ${innermostMessage(error)}`
    if (!/^https?:/i.test(this.#url)) {
      this.#stop()
      this.#failTheConnection({ reason: 'scheme', message, cause: error })
      return
    }
    this.#attemptFailed({ reason: 'network', message, cause: error, retryByDefault: true })
  }

  /** A HookError is retried; anything else #prepare throws (a one-shot body) fails the connection. */
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
   * The transport's buffer is full (XMLHttpRequest): request again now, resuming from the last
   * event ID, with readyState left OPEN and no `open` event. A partial event is dropped with the
   * old request; a server that honours Last-Event-ID sends it again, so nothing is lost or
   * repeated.
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

  /**
   * Decides between "reestablish the connection" and "fail the connection" for a failed attempt:
   * the spec's default, the `retry` policy (backoff, `maxAttempts`), then `shouldRetry`.
   */
  #attemptFailed(failure: Failure): void {
    this.#stop()
    this.#recycling = false
    if (this.readyState === CLOSED) return
    const policy = this.#options.retry || NATIVE_RETRY_POLICY
    const healthy = this.#openedAt !== undefined && Date.now() - this.#openedAt >= policy.resetAfter
    this.#failures = healthy ? 1 : this.#failures + 1
    const failures = this.#failures
    let delay =
      failure.retryAfter ?? backoffDelay(policy, this.reconnectionTime, failures, Math.random())
    let willRetry = failure.retryByDefault && this.#options.retry !== false
    let message = failure.message
    let gaveUp = false
    if (willRetry && failures >= policy.maxAttempts) {
      willRetry = false
      gaveUp = true
      message = `${message}; gave up after ${failures} failed attempt${failures === 1 ? '' : 's'}`
    }
    const shouldRetry = this.#options.shouldRetry
    if (shouldRetry !== undefined) {
      let decision: boolean | number | undefined
      try {
        decision = shouldRetry({
          attempt: failures,
          status: failure.status,
          headers: failure.headers,
          error: failure.cause,
          reason: failure.reason,
          message: failure.message,
          method: this.#options.method,
          lastEventId: this.lastEventId,
          willRetry,
          delay,
        })
      } catch (error) {
        this.#failTheConnection({
          reason: 'policy',
          message: `The "shouldRetry" option threw: ${String(error)}`,
          cause: error,
        })
        return
      }
      if (decision === true || decision === false) {
        willRetry = decision
        gaveUp = gaveUp && !decision
      } else if (typeof decision === 'number' && decision >= 0 && decision < Infinity) {
        willRetry = true
        delay = decision
      }
    }
    const details = {
      reason: failure.reason,
      message,
      gaveUp,
      status: failure.status,
      cause: failure.cause,
    }
    if (willRetry) this.#reestablishTheConnection(details, delay)
    else this.#failTheConnection(details)
  }

  /** [spec] "reestablish the connection". */
  #reestablishTheConnection(details: Omit<ErrorDetails, 'willRetry'>, delay: number): void {
    // Step 1: readyState CONNECTING and `error`; step 2: wait the reconnection time (step 3:
    // "optionally, wait some more": the backoff), measured from now. The timer is set first so
    // a handler calling close() finds it and clears it.
    this.readyState = CONNECTING
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = undefined
        // Step 5.1: "If the EventSource object's readyState attribute is not set to CONNECTING,
        // then return."
        if (this.readyState === CONNECTING) this.connect()
      },
      Math.min(delay, MAX_TIMER_DELAY),
    )
    this.#listener.error({ ...details, willRetry: true, delay })
  }

  /** [spec] "fail the connection": readyState CLOSED, fire `error`, never reconnect. */
  #failTheConnection(details: Omit<ErrorDetails, 'willRetry'>): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#stopWatchingPage?.()
    this.#stopWatchingPage = undefined
    this.#listener.error({ ...details, willRetry: false })
  }

  /** `readTimeout`: checks idleness at most once per timeout period, not on every chunk. */
  #armReadTimer(after: number, confirmations = 0): void {
    this.#readTimer = setTimeout(() => {
      this.#readTimer = undefined
      const timeout = this.#options.readTimeout
      const idle = Date.now() - this.#lastActivity
      if (idle < timeout) {
        this.#armReadTimer(timeout - idle)
        return
      }
      // A timer can fire before bytes that arrived while the event loop was blocked (a long GC,
      // synchronous work) have been read: let two more turns of I/O run before calling the
      // connection dead.
      if (confirmations < 2) {
        this.#armReadTimer(0, confirmations + 1)
        return
      }
      const message = `No data received for ${timeout} ms`
      this.#attemptFailed({
        reason: 'timeout',
        message,
        cause: new Error(message),
        retryByDefault: true,
      })
    }, after)
  }

  #watchPage(): void {
    const { pauseWhenHidden, reconnectWhenOnline } = this.#options
    if (!pauseWhenHidden && !reconnectWhenOnline) return
    this.#stopWatchingPage = watchPage(
      {
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
      },
      { visibility: pauseWhenHidden, online: reconnectWhenOnline },
    )
  }

  /** Releases the request and the timers, so nothing keeps a Node process alive. */
  #stop(): void {
    this.#generation++
    this.#handle?.abort()
    this.#handle = undefined
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    if (this.#readTimer !== undefined) clearTimeout(this.#readTimer)
    this.#readTimer = undefined
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

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** A microtask where there are microtasks, else the next task (old browsers). */
function defer(callback: () => void): void {
  if (typeof queueMicrotask === 'function') queueMicrotask(callback)
  else setTimeout(callback, 0)
}
