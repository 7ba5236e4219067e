import { describe, expect, test } from 'vitest'
import {
  backoffDelay,
  isIdempotent,
  NATIVE_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
} from '../src/core/retry.js'

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
    const p = policy({ factor: 2 })
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p, 100, n, 0))).toEqual([
      100, 200, 400, 800, 1600,
    ])
  })

  test('growth stops at maxDelay', () => {
    const p = policy({ factor: 3, maxDelay: 1000 })
    expect([1, 2, 3, 4, 10, 100].map((n) => backoffDelay(p, 100, n, 0))).toEqual([
      100, 300, 900, 1000, 1000, 1000,
    ])
  })

  test('a server retry above maxDelay is honoured, not cut', () => {
    expect(backoffDelay(policy({ factor: 2, maxDelay: 1000 }), 5000, 3, 0)).toBe(5000)
  })

  test('jitter adds between 0 and jitter × delay, and never subtracts', () => {
    const p = policy({ factor: 2, jitter: 0.5 })
    expect(backoffDelay(p, 1000, 2, 0)).toBe(2000)
    expect(backoffDelay(p, 1000, 2, 0.5)).toBe(2500)
    const highest = backoffDelay(p, 1000, 2, 0.999999)
    expect(highest).toBeGreaterThan(2999)
    expect(highest).toBeLessThan(3000)
  })

  test('jitter applies after the cap, so a capped delay can still spread', () => {
    expect(backoffDelay(policy({ factor: 10, maxDelay: 1000, jitter: 0.2 }), 100, 5, 0.5)).toBe(
      1100,
    )
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
