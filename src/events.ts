/**
 * The `open` and `error` events a source fires, with the fields the native events lack. Their
 * base is the platform's (see platform.ts); message events are the platform's `MessageEvent`.
 */

import { SourceEvent } from '#platform'
import type { ErrorReason, ResponseHeadersLike } from './types.js'

/**
 * The `open` event: a plain `Event` as the spec fires it, plus the response's `status` and
 * `headers`.
 * @public
 */
// The fields are `declare`d and set in the constructor: emitted class fields would first define
// each one as undefined, then set it.
export class EventSourceOpenEvent extends SourceEvent {
  /** The HTTP status (always 200: other statuses do not open). */
  declare readonly status: number
  /** The response headers. */
  declare readonly headers: ResponseHeadersLike

  /** @internal The library fires these; there is no reason to build one. */
  constructor(status: number, headers: ResponseHeadersLike) {
    super('open')
    this.status = status
    this.headers = headers
  }
}

/** What went wrong, and what happens next. @internal */
export interface ErrorDetails {
  readonly reason: ErrorReason
  /** What went wrong, in words; only the full tier's connection (ExtendedConnection) says. */
  readonly message?: string | undefined
  /** `retry.maxAttempts` was reached. */
  readonly gaveUp?: boolean
  /** Consecutive failed attempts, this one included; absent where no attempt failed. */
  readonly attempt?: number | undefined
  readonly status?: number | undefined
  readonly cause?: unknown
  readonly willRetry: boolean
  readonly delay?: number | undefined
}

/**
 * The `error` event: a plain `Event` as the spec fires it, plus what went wrong. `readyState` says
 * the same as `willRetry`: `CONNECTING` when a reconnect is scheduled, `CLOSED` when not.
 * @public
 */
export class EventSourceErrorEvent extends SourceEvent {
  /** What kind of failure: see {@link ErrorReason}. */
  declare readonly reason: ErrorReason
  /** What went wrong, in words: "HTTP 503", "The stream ended", "No data for 30000 ms", … */
  declare readonly message: string
  /** Whether the source stopped because `retry.maxAttempts` consecutive attempts failed. */
  declare readonly gaveUp: boolean
  /**
   * Consecutive failed attempts, this one included (what `retry.maxAttempts` counts); undefined
   * when the connection failed without a retry decision (`overflow`, `scheme`, a one-shot body).
   */
  declare readonly attempt: number | undefined
  /** The HTTP status, when a response caused the error. */
  declare readonly status: number | undefined
  /** The same as `status`, for code written for the `eventsource` package. */
  declare readonly code: number | undefined
  /** The underlying error (a network error, a timeout, a hook that threw), when there is one. */
  declare readonly cause: unknown
  /** Whether the source will reconnect (readyState `CONNECTING`) or has stopped (`CLOSED`). */
  declare readonly willRetry: boolean
  /** Milliseconds until the next attempt, when it will retry. */
  declare readonly delay: number | undefined

  /** @internal The library fires these; there is no reason to build one. */
  constructor(details: ErrorDetails) {
    super('error')
    this.reason = details.reason
    this.message = details.message ?? ''
    this.gaveUp = details.gaveUp ?? false
    this.attempt = details.attempt
    this.status = details.status
    this.code = details.status
    this.cause = details.cause
    this.willRetry = details.willRetry
    this.delay = details.delay
  }
}
