/**
 * The retry decision, as pure functions of their inputs (no timers, no I/O), so every branch is
 * testable with plain arguments: whether a failed attempt reconnects or fails the connection,
 * after how long, and what the `error` event says.
 */
import type { ErrorDetails } from '../events.js'
import type { ErrorReason, ResponseHeadersLike } from '../types.js'
import type { NormalizedOptions } from './options.js'

/** Backoff settings after normalisation: every field present. @internal */
export interface RetryPolicy {
  /** The reconnection time until the server sends `retry:`. */
  readonly initialDelay: number
  /** Cap on growth; never below what the server asked for. */
  readonly maxDelay: number
  /** Growth per consecutive failed attempt (1 = the spec's fixed delay). */
  readonly factor: number
  /** Up to this fraction of the delay is added at random (never subtracted). */
  readonly jitter: number
  /** A connection open at least this long resets the count of failed attempts. */
  readonly resetAfter: number
  /** Consecutive failed attempts after which the source gives up. */
  readonly maxAttempts: number
  /** HTTP statuses that reconnect instead of failing the connection. */
  readonly statuses: readonly number[]
  /** The methods (upper-cased) `statuses` apply to; undefined for the idempotent ones. */
  readonly methods?: readonly string[] | undefined
}

/** The spec's behaviour: a fixed reconnection time, no growth, no jitter, no limit. @internal */
export const NATIVE_RETRY_POLICY: RetryPolicy = {
  initialDelay: 3000,
  maxDelay: Infinity,
  factor: 1,
  jitter: 0,
  resetAfter: 0,
  maxAttempts: Infinity,
  statuses: [],
}

/**
 * Whether the policy asks for backoff (growth, jitter or a give-up count). Then no delay is
 * shorter than `initialDelay`, whatever the server says: a server sending `retry: 0` and
 * ending the stream, or a 503 with `Retry-After: 0`, cannot make every client reconnect in a loop.
 * Without it the spec's behaviour holds: the server's reconnection time, exactly.
 * @internal
 */
export function backsOff(policy: RetryPolicy): boolean {
  return policy.factor > 1 || policy.jitter > 0 || policy.maxAttempts < Infinity
}

/**
 * The delay before the next attempt.
 *
 * @param reconnectionTime - the stream's reconnection time: `initialDelay`, or the server's `retry:`.
 * @param failures - consecutive failed attempts, counting the one that just failed (≥ 1); a drop
 *   after a healthy connection counts as 1, so it waits exactly the reconnection time.
 * @param random - a number in [0, 1), `Math.random()` unless a test fixes it.
 * @internal
 */
export function backoffDelay(
  policy: RetryPolicy,
  reconnectionTime: number,
  failures: number,
  random: number,
): number {
  const base = backsOff(policy) ? Math.max(reconnectionTime, policy.initialDelay) : reconnectionTime
  const grown = base * policy.factor ** Math.max(0, failures - 1)
  // The cap limits growth only: a server asking for more than maxDelay still gets it.
  const capped = Math.min(grown, Math.max(policy.maxDelay, base))
  return capped + capped * policy.jitter * random
}

/**
 * Milliseconds a `Retry-After` header asks for: delay-seconds, or an HTTP-date relative to `now`
 * (a date in the past means 0). `undefined` when absent or unparsable.
 * @internal
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP-date names its month ("Sun, 06 Nov 1994 08:49:37 GMT"); anything else that
  // Date.parse happens to accept ("-5") is not one.
  const date = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : NaN
  // biome-ignore lint/suspicious/noGlobalIsNan: Number.isNaN is missing in IE 11; a number here
  if (isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Methods that are safe to repeat after an HTTP error (RFC 9110 §9.2.2, plus REPORT). @internal */
export function isIdempotent(method: string): boolean {
  return /^(GET|HEAD|OPTIONS|TRACE|PUT|DELETE|REPORT|PROPFIND|SEARCH|QUERY)$/.test(method)
}

/** Whether the policy reconnects after a response with this status to a request of this method. @internal */
export function retriesStatus(
  policy: RetryPolicy | false,
  status: number,
  method: string,
): boolean {
  if (policy === false || policy.statuses.indexOf(status) === -1) return false
  const { methods } = policy
  return methods ? methods.indexOf(method.toUpperCase()) !== -1 : isIdempotent(method)
}

/** A failed attempt, before the retry decision. @internal */
export interface Failure {
  readonly reason: ErrorReason
  readonly message: string
  readonly status?: number
  readonly headers?: ResponseHeadersLike
  readonly cause?: unknown
  /** What the spec (or the `retry.statuses` opt-in) does with it. */
  readonly retryByDefault: boolean
  /** The delay a `Retry-After` header asks for, in ms. */
  readonly retryAfter?: number | undefined
}

/** What the decision depends on besides the failure and the options. @internal */
export interface RetryState {
  readonly lastEventId: string
  /** [spec] "reconnection time": `initialDelay`, or the server's `retry:`. */
  readonly reconnectionTime: number
  /** Consecutive failed attempts before this one. */
  readonly failures: number
  /** How long the failed attempt's response had been open (ms); undefined if it never opened. */
  readonly openFor: number | undefined
}

/**
 * Decides between "reestablish the connection" (`willRetry`, after `delay` ms) and "fail the
 * connection" for a failed attempt, and what the `error` event says: the spec's default, then the
 * `retry` policy (backoff, `maxAttempts`), then `shouldRetry`, which has the last word (one that
 * throws fails the connection with reason `policy`). `attempt` is the count of consecutive failed
 * attempts, this one included: the next decision's `failures`.
 *
 * @param random - a number in [0, 1) for the jitter; fixed by tests.
 * @internal
 */
export function decideRetry(
  failure: Failure,
  options: Pick<NormalizedOptions, 'retry' | 'shouldRetry' | 'method'>,
  state: RetryState,
  random: number,
): ErrorDetails & { readonly attempt: number } {
  const policy = options.retry || NATIVE_RETRY_POLICY
  const healthy = state.openFor !== undefined && state.openFor >= policy.resetAfter
  const attempt = healthy ? 1 : state.failures + 1
  let delay = backoffDelay(policy, state.reconnectionTime, attempt, random)
  // Retry-After, capped by maxDelay, replaces the delay; with backoff it may only lengthen it.
  if (failure.retryAfter !== undefined)
    delay = Math.max(backsOff(policy) ? delay : 0, Math.min(failure.retryAfter, policy.maxDelay))
  let willRetry = failure.retryByDefault && options.retry !== false
  let message = failure.message
  let gaveUp = false
  if (willRetry && attempt >= policy.maxAttempts) {
    willRetry = false
    gaveUp = true
    message = `${message}; gave up after ${attempt} failed attempt${attempt === 1 ? '' : 's'}`
  }
  const { shouldRetry } = options
  if (shouldRetry !== undefined) {
    let verdict: boolean | number | undefined
    try {
      verdict = shouldRetry({
        attempt,
        status: failure.status,
        headers: failure.headers,
        error: failure.cause,
        reason: failure.reason,
        message: failure.message,
        method: options.method,
        lastEventId: state.lastEventId,
        willRetry,
        delay,
      })
    } catch (error) {
      return {
        reason: 'policy',
        message: `The "shouldRetry" option threw: ${String(error)}`,
        cause: error,
        attempt,
        willRetry: false,
      }
    }
    if (verdict === true || verdict === false) {
      willRetry = verdict
      gaveUp = gaveUp && !verdict
    } else if (typeof verdict === 'number' && verdict >= 0 && verdict < Infinity) {
      willRetry = true
      delay = verdict
    }
  }
  return {
    reason: failure.reason,
    message,
    gaveUp,
    status: failure.status,
    cause: failure.cause,
    attempt,
    willRetry,
    delay: willRetry ? delay : undefined,
  }
}
