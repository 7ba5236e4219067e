import type { ErrorDetails } from '../events.js'
import type { ResponseHead, Transport } from '../transports/transport.js'
import type { ConnectContext } from '../types.js'
import {
  type AttemptFailure,
  CLOSED,
  CONNECTING,
  Connection,
  type ConnectionListener,
  type ReadyState,
} from './connection.js'
import type { NormalizedOptions } from './options.js'
import { pageIsHidden, watchPage } from './page-lifecycle.js'
import { type ReadWatchdog, watchReads } from './read-timeout.js'
import {
  HookError,
  isThenable,
  type PreparedRequest,
  prepareRequest,
  requestUrl,
} from './request.js'
import { decideRetry, NATIVE_RETRY_POLICY, parseRetryAfter, retriesStatus } from './retry.js'

/**
 * What the full `EventSource` drives: an {@link ExtendedConnection} of its own or, with the
 * `share` option, its share of one that another source (in this tab or another) may hold
 * (src/share/). @internal
 */
export interface SourceConnection {
  readonly readyState: ReadyState
  /** The last event ID the source resumes from. */
  readonly lastEventId: string
  connect(): void
  close(): void
  reconnect(): void
}

/**
 * The processing model with this library's extensions, each from its own module, in the steps
 * of `Connection` (connection.ts) they change: the request's hooks (request.ts) in "connect",
 * the retry policy (retry.ts) in the decision between "reestablish" and "fail", the read timeout
 * (read-timeout.ts) around the transport, the page's signals (page-lifecycle.ts), and what each
 * `error` event says. The full `EventSource` uses this class; the W3C-only tier uses
 * `Connection` alone.
 * @internal
 */
export class ExtendedConnection extends Connection implements SourceConnection {
  declare protected readonly connectionOptions: NormalizedOptions
  /** Requests made so far (the `attempt` hooks see). */
  #attempts = 0
  /** Consecutive failed attempts, for backoff and `maxAttempts`. */
  #failures = 0
  /** When the current response was announced; undefined before. */
  #openedAt: number | undefined
  /** Bumped by every connect/stop, so a late async hook result for an old attempt is dropped. */
  #generation = 0
  #pausedWhileHidden = false
  #stopWatchingPage: (() => void) | undefined
  /** `readTimeout` while the `headers`/`body` hooks run (the transport's own watchdog follows). */
  #hookWatchdog: ReadWatchdog | undefined

  constructor(
    url: string,
    options: NormalizedOptions,
    transport: Transport,
    listener: ConnectionListener,
  ) {
    const timeout = options.readTimeout
    // The watchdog calls back long after super() has returned, when `this` exists.
    super(
      url,
      options,
      withReadTimeout(transport, timeout, () =>
        this.timedOut(`No data received for ${timeout} ms`),
      ),
      listener,
    )
    this.reconnectionTime = (options.retry || NATIVE_RETRY_POLICY).initialDelay
    this.#watchPage()
  }

  /** [spec] "connect", with the `headers`/`body` hooks and `lastEventIdQueryParam`. */
  override connect(): void {
    if (this.connectionOptions.pauseWhenHidden && pageIsHidden()) {
      this.#pausedWhileHidden = true
      return
    }
    const generation = ++this.#generation
    this.#attempts++
    this.#openedAt = undefined
    const url = requestUrl(this.streamUrl, this.connectionOptions, this.lastEventId)
    const context: ConnectContext = { attempt: this.#attempts, lastEventId: this.lastEventId, url }
    const current = () => generation === this.#generation && this.readyState !== CLOSED
    // readTimeout runs from the start of the attempt: a `headers` or `body` function that never
    // settles ends in an `error` event and a retry too, not a source CONNECTING forever.
    const timeout = this.connectionOptions.readTimeout
    if (timeout !== Infinity) {
      this.#hookWatchdog = watchReads(timeout, () =>
        this.timedOut(`The "headers" or "body" function did not settle within ${timeout} ms`),
      )
    }
    let prepared: PreparedRequest | Promise<PreparedRequest>
    try {
      prepared = prepareRequest(this.connectionOptions, context)
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

  /** The hooks have settled: the transport's watchdog takes over from theirs. */
  #send(url: string, prepared: PreparedRequest): void {
    this.#hookWatchdog?.stop()
    this.#hookWatchdog = undefined
    this.sendRequest(url, prepared)
  }

  override close(): void {
    super.close()
    this.#unwatchPage()
  }

  /** Drops the current connection (if any) and connects again now, keeping the last event ID. */
  reconnect(): void {
    this.stopAttempt()
    this.#failures = 0
    this.#pausedWhileHidden = false
    this.readyState = CONNECTING
    if (this.#stopWatchingPage === undefined) this.#watchPage()
    this.connect()
  }

  /** The read timeout fired for the current attempt (see withReadTimeout, connect). */
  timedOut(message: string): void {
    this.attemptFailed({ reason: 'timeout', message, cause: new Error(message) }, true)
  }

  protected override announceTheConnection(head: ResponseHead): void {
    this.#openedAt = Date.now()
    super.announceTheConnection(head)
  }

  /** A HookError is retried; anything else preparing throws (a one-shot body) fails the connection. */
  #hookFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    if (error instanceof HookError) {
      this.attemptFailed({ reason: 'hook', message, cause: error.cause }, true)
      return
    }
    this.stopAttempt()
    this.failTheConnection({ reason: 'hook', message, cause: error })
  }

  /**
   * "reestablish the connection" or "fail the connection", as retry.ts decides: the spec's answer
   * (`retry`), or `retry.statuses` for an HTTP error, then the policy and `shouldRetry`.
   */
  protected override decideAfterFailure(failure: AttemptFailure, retry: boolean): void {
    const { status, headers } = failure
    const details = decideRetry(
      {
        ...failure,
        message: describe(failure, this.connectionOptions),
        retryByDefault:
          retry ||
          (status !== undefined &&
            retriesStatus(this.connectionOptions.retry, status, this.connectionOptions.method)),
        retryAfter: parseRetryAfter(headers?.get('Retry-After') ?? null, Date.now()),
      },
      this.connectionOptions,
      {
        lastEventId: this.lastEventId,
        reconnectionTime: this.reconnectionTime,
        failures: this.#failures,
        openFor: this.#openedAt === undefined ? undefined : Date.now() - this.#openedAt,
      },
      Math.random(),
    )
    this.#failures = details.attempt
    if (details.willRetry) this.reestablishTheConnection(details)
    else this.failTheConnection(details)
  }

  protected override failTheConnection(details: Omit<ErrorDetails, 'willRetry'>): void {
    this.#unwatchPage()
    super.failTheConnection({ ...details, message: describe(details, this.connectionOptions) })
  }

  protected override stopAttempt(): void {
    this.#generation++
    this.#hookWatchdog?.stop()
    this.#hookWatchdog = undefined
    super.stopAttempt()
  }

  /** `pauseWhenHidden` and `reconnectWhenOnline`: the page's signals. */
  #watchPage(): void {
    this.#stopWatchingPage = watchPage(this.connectionOptions, {
      hidden: () => {
        if (this.readyState === CLOSED) return
        this.stopAttempt()
        this.readyState = CONNECTING
        this.#pausedWhileHidden = true
      },
      visible: () => {
        if (!this.#pausedWhileHidden || this.readyState === CLOSED) return
        this.#pausedWhileHidden = false
        this.connect()
      },
      online: () => {
        if (this.reconnectTimer === undefined || this.readyState !== CONNECTING) return
        this.stopAttempt()
        this.connect()
      },
    })
  }

  #unwatchPage(): void {
    this.#stopWatchingPage?.()
    this.#stopWatchingPage = undefined
  }
}

/**
 * `transport`, with the `readTimeout` watchdog around each request: any sign of life (the head,
 * a chunk) counts, and silence for `timeout` ms fails the attempt. Aborting the request (which
 * the connection does whenever an attempt ends) stops the watchdog.
 */
function withReadTimeout(transport: Transport, timeout: number, onTimeout: () => void): Transport {
  if (timeout === Infinity) return transport
  return (request, handlers) => {
    const watchdog = watchReads(timeout, onTimeout)
    const alive = () => {
      watchdog.lastActivity = Date.now()
    }
    const handle = transport(request, {
      onResponse: (head) => {
        alive()
        handlers.onResponse(head)
      },
      onChunk: (chunk) => {
        alive()
        handlers.onChunk(chunk)
      },
      onEnd: () => handlers.onEnd(),
      onError: (error, fatal) => handlers.onError(error, fatal),
      onRecycle: (buffered) => handlers.onRecycle?.(buffered),
    })
    return {
      abort() {
        watchdog.stop()
        handle.abort()
      },
    }
  }
}

/**
 * What an `error` event says, in words: a failure's own message (the hooks', the read
 * timeout's), or one made from what the processing model reported.
 */
function describe(
  failure: Pick<ErrorDetails, 'reason' | 'message' | 'status' | 'cause'> & {
    readonly headers?: AttemptFailure['headers']
  },
  options: NormalizedOptions,
): string {
  const { reason, status } = failure
  if (failure.message !== undefined) return failure.message
  if (reason === 'end') return 'The stream ended'
  if (reason === 'http') return `HTTP ${status}`
  if (reason === 'overflow')
    return `A line or event exceeded maxBufferSize (${options.maxBufferSize} bytes)`
  if (reason === 'content-type') {
    const type = failure.headers?.get('Content-Type') ?? null
    return `Expected Content-Type text/event-stream, got ${type === null ? 'none' : JSON.stringify(type)}`
  }
  return `Network error: ${innermostMessage(failure.cause)}`
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
