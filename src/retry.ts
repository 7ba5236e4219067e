/**
 * The reconnection delay policy, as pure functions of their inputs (no timers, no I/O), so every
 * branch is testable with plain arguments.
 */

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
  const grown = reconnectionTime * policy.factor ** Math.max(0, failures - 1)
  // The cap limits growth only: a server asking for more than maxDelay still gets it.
  const capped = Math.min(grown, Math.max(policy.maxDelay, reconnectionTime))
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
