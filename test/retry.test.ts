import { describe, expect, test } from 'vitest'
import {
  backoffDelay,
  decideRetry,
  type Failure,
  isIdempotent,
  NATIVE_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  type RetryState,
} from '../src/core/retry.js'
import type { RetryContext } from '../src/types.js'

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({
  ...NATIVE_RETRY_POLICY,
  ...overrides,
})

describe('backoff delay', () => {
  test('the native policy waits the reconnection time, however many attempts failed', () => {
    for (const failures of [1, 2, 10, 1000]) {
      expect(backoffDelay(NATIVE_RETRY_POLICY, 3000, failures, 0.99)).toBe(3000)
    }
  })

  test('the delay grows by the factor per consecutive failure, from the reconnection time', () => {
    const p = policy({ factor: 2, initialDelay: 100 })
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p, 100, n, 0))).toEqual([
      100, 200, 400, 800, 1600,
    ])
  })

  test('growth stops at maxDelay', () => {
    const p = policy({ factor: 3, maxDelay: 1000, initialDelay: 100 })
    expect([1, 2, 3, 4, 10, 100].map((n) => backoffDelay(p, 100, n, 0))).toEqual([
      100, 300, 900, 1000, 1000, 1000,
    ])
  })

  test('a server retry above maxDelay is honoured, not cut', () => {
    expect(backoffDelay(policy({ factor: 2, maxDelay: 1000 }), 5000, 3, 0)).toBe(5000)
  })

  test('jitter adds between 0 and jitter × delay, and never subtracts', () => {
    const p = policy({ factor: 2, jitter: 0.5, initialDelay: 1000 })
    expect(backoffDelay(p, 1000, 2, 0)).toBe(2000)
    expect(backoffDelay(p, 1000, 2, 0.5)).toBe(2500)
    const highest = backoffDelay(p, 1000, 2, 0.999999)
    expect(highest).toBeGreaterThan(2999)
    expect(highest).toBeLessThan(3000)
  })

  test('jitter applies after the cap, so a capped delay can still spread', () => {
    const p = policy({ factor: 10, maxDelay: 1000, jitter: 0.2, initialDelay: 100 })
    expect(backoffDelay(p, 100, 5, 0.5)).toBe(1100)
  })

  test('with backoff, no delay is shorter than initialDelay: a server retry of 0 cannot storm', () => {
    for (const backoff of [{ factor: 2 }, { jitter: 0.5 }, { maxAttempts: 10 }]) {
      const p = policy({ ...backoff, initialDelay: 1000 })
      expect(backoffDelay(p, 0, 1, 0), JSON.stringify(backoff)).toBe(1000)
    }
    const p = policy({ factor: 2, initialDelay: 1000 })
    expect([1, 2, 3].map((n) => backoffDelay(p, 0, n, 0))).toEqual([1000, 2000, 4000])
    expect(backoffDelay(p, 1500, 2, 0)).toBe(3000)
  })

  test('without backoff, the server retry is waited exactly, as the spec says', () => {
    expect(backoffDelay(NATIVE_RETRY_POLICY, 0, 5, 0.5)).toBe(0)
    expect(backoffDelay(policy({ initialDelay: 1000, maxDelay: 5000 }), 10, 3, 0)).toBe(10)
  })

  test('a huge failure count does not overflow to NaN', () => {
    const delay = backoffDelay(policy({ factor: 2, maxDelay: 30_000 }), 1000, 5000, 0)
    expect(delay).toBe(30_000)
  })
})

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  test('delay-seconds become milliseconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000)
  })
  test('an HTTP date is relative to now, and a past date means now', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
  })
  test('absent or unparsable means no opinion', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
  })
})

test('idempotent methods are the ones safe to repeat after an HTTP error', () => {
  expect(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'REPORT'].every(isIdempotent)).toBe(true)
  expect(['POST', 'PATCH', 'get', 'SUBSCRIBE'].some(isIdempotent)).toBe(false)
})

describe('the retry decision (decideRetry: no timers, no network)', () => {
  const dropped: Failure = { reason: 'end', message: 'The stream ended', retryByDefault: true }
  const refused: Failure = {
    reason: 'http',
    message: 'HTTP 500',
    status: 500,
    retryByDefault: false,
  }
  const state = (overrides: Partial<RetryState> = {}): RetryState => ({
    lastEventId: '7',
    reconnectionTime: 3000,
    failures: 0,
    openFor: undefined,
    ...overrides,
  })
  type Options = Parameters<typeof decideRetry>[1]
  const spec: Options = { retry: NATIVE_RETRY_POLICY, shouldRetry: undefined, method: 'GET' }
  const withPolicy = (overrides: Partial<RetryPolicy>): Options => ({
    ...spec,
    retry: policy(overrides),
  })

  test('by default (the spec): a drop reestablishes after the reconnection time, forever', () => {
    for (const failures of [0, 1, 99]) {
      expect(decideRetry(dropped, spec, state({ failures }), 0.5)).toEqual({
        reason: 'end',
        message: 'The stream ended',
        gaveUp: false,
        status: undefined,
        cause: undefined,
        attempt: failures + 1,
        willRetry: true,
        delay: 3000,
      })
    }
  })

  test('a failure the spec does not retry (a status, a content type) fails the connection', () => {
    expect(decideRetry(refused, spec, state(), 0)).toEqual({
      reason: 'http',
      message: 'HTTP 500',
      gaveUp: false,
      status: 500,
      cause: undefined,
      attempt: 1,
      willRetry: false,
      delay: undefined,
    })
  })

  test('retry: false fails the connection on every failure', () => {
    const decision = decideRetry(dropped, { ...spec, retry: false }, state(), 0)
    expect([decision.willRetry, decision.gaveUp, decision.attempt]).toEqual([false, false, 1])
  })

  test("the server's reconnection time is the base the backoff grows from", () => {
    const options = withPolicy({ factor: 2, initialDelay: 100 })
    expect(
      [0, 1, 2]
        .map((failures) =>
          decideRetry(dropped, options, state({ failures, reconnectionTime: 250 }), 0),
        )
        .map((d) => d.delay),
    ).toEqual([250, 500, 1000])
  })

  test('jitter uses the random number it is given', () => {
    expect(decideRetry(dropped, withPolicy({ jitter: 1 }), state(), 0.5).delay).toBe(4500)
  })

  test('a Retry-After delay replaces the backoff', () => {
    const failure: Failure = { ...dropped, retryAfter: 42_000 }
    expect(decideRetry(failure, withPolicy({ factor: 2 }), state({ failures: 3 }), 0).delay).toBe(
      42_000,
    )
  })

  test('with backoff, Retry-After may lengthen the delay, never shorten it', () => {
    const options = withPolicy({ factor: 2, initialDelay: 1000, maxDelay: 30_000 })
    const delayFor = (retryAfter: number, failures = 0) =>
      decideRetry({ ...dropped, retryAfter }, options, state({ failures, reconnectionTime: 0 }), 0)
        .delay
    // Retry-After: 0 (or a date in the past), a first failure and a fourth; then 5 s, and a
    // delay far past maxDelay (99999999999 s).
    expect([delayFor(0), delayFor(0, 3), delayFor(5000), delayFor(99_999_999_999_000)]).toEqual([
      1000, 8000, 5000, 30_000,
    ])
  })

  test('without backoff, Retry-After sets the delay, capped by maxDelay', () => {
    const delayFor = (retryAfter: number, maxDelay = Infinity) =>
      decideRetry({ ...dropped, retryAfter }, withPolicy({ maxDelay }), state(), 0).delay
    expect([delayFor(0), delayFor(1000), delayFor(99_999_999_999_000, 60_000)]).toEqual([
      0, 1000, 60_000,
    ])
  })

  test('maxAttempts consecutive failures give up, and the message says so', () => {
    const options = withPolicy({ maxAttempts: 3 })
    expect(decideRetry(dropped, options, state({ failures: 1 }), 0).willRetry).toBe(true)
    const last = decideRetry(dropped, options, state({ failures: 2 }), 0)
    expect(last).toMatchObject({
      willRetry: false,
      gaveUp: true,
      attempt: 3,
      message: 'The stream ended; gave up after 3 failed attempts',
    })
    expect(decideRetry(dropped, withPolicy({ maxAttempts: 1 }), state(), 0).message).toBe(
      'The stream ended; gave up after 1 failed attempt',
    )
  })

  test('a connection open for resetAfter ms counts the next failure as the first', () => {
    const options = withPolicy({ factor: 2, resetAfter: 1000, maxAttempts: 3 })
    const healthy = decideRetry(dropped, options, state({ failures: 2, openFor: 1000 }), 0)
    expect([healthy.attempt, healthy.willRetry, healthy.delay]).toEqual([1, true, 3000])
    const brief = decideRetry(dropped, options, state({ failures: 1, openFor: 999 }), 0)
    expect([brief.attempt, brief.willRetry, brief.delay]).toEqual([2, true, 6000])
  })

  test('shouldRetry is told everything, and its verdict wins', () => {
    const seen: RetryContext[] = []
    const options = (verdict: boolean | number | undefined): Options => ({
      ...withPolicy({ maxAttempts: 2 }),
      method: 'POST',
      shouldRetry: (context) => {
        seen.push(context)
        return verdict
      },
    })
    const failure: Failure = { ...refused, cause: 'why', headers: { get: () => null } }
    expect(decideRetry(failure, options(undefined), state(), 0).willRetry).toBe(false)
    expect(seen[0]).toEqual({
      attempt: 1,
      status: 500,
      headers: failure.headers,
      error: 'why',
      reason: 'http',
      message: 'HTTP 500',
      method: 'POST',
      lastEventId: '7',
      willRetry: false,
      delay: 3000,
    })
    expect(decideRetry(failure, options(true), state(), 0)).toMatchObject({
      willRetry: true,
      delay: 3000,
    })
    expect(decideRetry(failure, options(1234), state(), 0)).toMatchObject({
      willRetry: true,
      delay: 1234,
    })
    // A true verdict past maxAttempts retries, and so has not given up.
    expect(decideRetry(dropped, options(true), state({ failures: 1 }), 0)).toMatchObject({
      willRetry: true,
      gaveUp: false,
    })
    expect(decideRetry(dropped, options(false), state({ failures: 1 }), 0)).toMatchObject({
      willRetry: false,
      gaveUp: true,
    })
    // Numbers that are no delay are no opinion.
    for (const verdict of [-1, Infinity, Number.NaN]) {
      expect(decideRetry(failure, options(verdict), state(), 0).willRetry).toBe(false)
    }
  })

  test('a shouldRetry that throws fails the connection with reason "policy"', () => {
    const error = new Error('boom')
    const decision = decideRetry(
      dropped,
      {
        ...spec,
        shouldRetry: () => {
          throw error
        },
      },
      state(),
      0,
    )
    expect(decision).toEqual({
      reason: 'policy',
      message: 'The "shouldRetry" option threw: Error: boom',
      cause: error,
      attempt: 1,
      willRetry: false,
    })
  })
})
