/**
 * The events an EventSource fires, built in one place so that platforms lacking the event
 * classes can be given stand-ins without touching the processing model.
 */

import { EventBase, newMessageEvent } from './dom.js'
import type { ResponseHeadersLike } from './options.js'

/**
 * The `open` event: a plain `Event` as the spec fires it, plus the response's `status` and
 * `headers`.
 * @public
 */
// The fields are `declare`d and set in the constructor: emitted class fields would first define
// each one as undefined, then set it.
export class EventSourceOpenEvent extends EventBase {
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

/**
 * What kind of failure an `error` event reports:
 * - `end`: the server ended the stream (the spec reconnects);
 * - `network`: the request failed without a response (refused, reset, TLS, DNS, proxy);
 * - `http`: a status other than 200; `content-type`: a 200 that is not `text/event-stream`;
 * - `timeout`: no byte for `readTimeout` ms; `overflow`: a line or event beyond `maxBufferSize`;
 * - `hook`: the `headers` or `body` option threw, or the body cannot be sent again; or the
 *   `fetch` option broke its contract (threw, or resolved to no stream body): never retried;
 * - `policy`: `shouldRetry` threw; `scheme`: a URL scheme no request can fetch (ftp:, about:…).
 * @public
 */
export type ErrorReason =
  | 'end'
  | 'network'
  | 'http'
  | 'content-type'
  | 'timeout'
  | 'overflow'
  | 'hook'
  | 'policy'
  | 'scheme'

/** What went wrong, and what happens next. @internal */
export interface ErrorDetails {
  readonly reason: ErrorReason
  readonly message: string
  /** `retry.maxAttempts` was reached. */
  readonly gaveUp?: boolean
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
export class EventSourceErrorEvent extends EventBase {
  /** What kind of failure: see {@link ErrorReason}. */
  declare readonly reason: ErrorReason
  /** What went wrong, in words: "HTTP 503", "The stream ended", "No data for 30000 ms", … */
  declare readonly message: string
  /** Whether the source stopped because `retry.maxAttempts` consecutive attempts failed. */
  declare readonly gaveUp: boolean
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
    this.message = details.message
    this.gaveUp = details.gaveUp ?? false
    this.status = details.status
    this.code = details.status
    this.cause = details.cause
    this.willRetry = details.willRetry
    this.delay = details.delay
  }
}

/** [spec] "dispatch the event" steps 4–6: a `MessageEvent` with data, origin and lastEventId. @internal */
export function createMessageEvent(
  type: string,
  data: string,
  origin: string,
  lastEventId: string,
): MessageEvent<string> {
  return newMessageEvent(type, data, origin, lastEventId)
}
