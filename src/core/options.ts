/**
 * The constructor's options: defaults and validation (their public types are in types.ts).
 * Everything is checked once, at construction, so a bad option is a `TypeError` that names it,
 * never a failure later.
 */
import type {
  BodySource,
  CredentialsMode,
  EventSourceOptions,
  FetchLike,
  HeadersSource,
  HeadersValue,
} from '../types.js'
import { NATIVE_RETRY_POLICY, type RetryPolicy } from './retry.js'

/** Options after validation. @internal */
export interface NormalizedOptions {
  readonly withCredentials: boolean
  readonly credentials: CredentialsMode
  readonly method: string
  /** Static headers as validated entries (see headerEntries), or the hook. */
  readonly headers: Array<[string, string]> | Exclude<HeadersSource, HeadersValue> | undefined
  readonly body: BodySource | undefined
  readonly fetch: FetchLike | undefined
  readonly lastEventId: string
  readonly lastEventIdQueryParam: string | undefined
  readonly retry: RetryPolicy | false
  readonly shouldRetry: EventSourceOptions['shouldRetry']
  readonly readTimeout: number
  readonly maxBufferSize: number
  readonly dispatcher: object | undefined
  /** Node only: validated by the Node platform (node-transport.ts), ignored elsewhere. */
  readonly proxy: unknown
  /** Node only, as `proxy`. */
  readonly httpVersion: unknown
  readonly pauseWhenHidden: boolean
  readonly reconnectWhenOnline: boolean
  /**
   * `true` (the key derived from the request) or the key's name; falsy: not shared. Checked by
   * the build that shares (src/share/on-demand.ts), ignored by the others.
   */
  readonly share: unknown
}

/** 16 Mi characters: far above real events (feature-flag payloads run to megabytes). @internal */
export const DEFAULT_MAX_BUFFER_SIZE = 16 * 1024 * 1024

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/**
 * What no transport can put in a header value: RFC 9110 field values are visible ASCII, space,
 * tab and the bytes 0x80–0xFF. node:http refuses the other control characters (fetch only CR,
 * LF and NUL), so a value with one would fail every attempt in Node, forever. Checked once, up
 * front, instead. (Above U+00FF is refused separately: values are byte strings.)
 * @internal
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what this matches
export const CONTROL = /[\0-\x08\n-\x1f\x7f]/

/**
 * Every option error: the option, what it must be, and what it got (left out when secret).
 * @internal
 */
export function invalid(name: string, expected: string, got?: unknown): TypeError {
  const shown =
    got === undefined ? '' : `; got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`
  return new TypeError(`EventSource option "${name}" must be ${expected}${shown}`)
}

/** The options checked by type alone. */
const TYPES: Record<string, string> = {
  fetch: 'function',
  shouldRetry: 'function',
  lastEventId: 'string',
  lastEventIdQueryParam: 'string',
  pauseWhenHidden: 'boolean',
  reconnectWhenOnline: 'boolean',
  dispatcher: 'object',
}

/** The number options of `retry`, with their bounds (`[min]`, or `[min, max]`). */
const RETRY_NUMBERS: Record<string, [number, number?]> = {
  initialDelay: [0],
  maxDelay: [0],
  factor: [1],
  jitter: [0, 1],
  resetAfter: [0],
  maxAttempts: [1],
}

/** `value` when undefined or a number within the bounds; else a TypeError naming `name`. @internal */
export function checkNumber(
  name: string,
  value: unknown,
  [min, max = Infinity]: [number, number?],
): number | undefined {
  // `!(value >= min)` also refuses NaN (Number.isNaN is missing in IE 11).
  if (value !== undefined && (typeof value !== 'number' || !(value >= min) || value > max))
    throw invalid(name, `a number from ${min} to ${max}`, value)
  return value
}

function normalizeRetry(retry: unknown): RetryPolicy | false {
  if (retry === undefined) return NATIVE_RETRY_POLICY
  if (retry === false) return false
  if (typeof retry !== 'object' || retry === null)
    throw invalid('retry', 'false or an object', retry)
  const given = retry as Record<string, unknown>
  const policy: Record<string, unknown> = {}
  for (const name in RETRY_NUMBERS) {
    policy[name] =
      checkNumber(`retry.${name}`, given[name], RETRY_NUMBERS[name] as [number]) ??
      NATIVE_RETRY_POLICY[name as keyof RetryPolicy]
  }
  const statuses = given['statuses'] ?? []
  if (
    !Array.isArray(statuses) ||
    !statuses.every((s) => typeof s === 'number' && s % 1 === 0 && s >= 100 && s <= 599)
  ) {
    throw invalid('retry.statuses', 'an array of HTTP statuses (100–599)', statuses)
  }
  policy['statuses'] = statuses.slice()
  const methods = given['methods']
  if (methods !== undefined) {
    if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string' && TOKEN.test(m)))
      throw invalid('retry.methods', 'an array of method names', methods)
    policy['methods'] = methods.map((m: string) => m.toUpperCase())
  }
  return policy as unknown as RetryPolicy
}

/**
 * Header entries of any `HeadersInit` shape, validated: names must be tokens, values byte strings
 * (fetch's rule: nothing beyond U+00FF) without control characters but tab (see {@link CONTROL}),
 * and `Last-Event-ID` belongs to its own option. Names are lower-cased so the connection can
 * merge its own headers without duplicates.
 * @internal
 */
export function headerEntries(init: HeadersValue): Array<[string, string]> {
  if (typeof init !== 'object' || init === null) throw invalid('headers', 'a HeadersInit', init)
  let pairs: Array<[string, string]> = []
  if (Array.isArray(init)) {
    pairs = init.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw invalid('headers', 'a list of [name, value] pairs', pair)
      return [String(pair[0]), String(pair[1])]
    })
  } else if (typeof (init as Headers).forEach === 'function') {
    ;(init as Headers).forEach((value, name) => {
      pairs.push([name, value])
    })
  } else {
    const record = init as Record<string, string>
    pairs = Object.keys(record).map((name) => [name, String(record[name])])
  }
  return pairs.map(([name, value]) => {
    const lower = name.toLowerCase()
    if (!TOKEN.test(name)) throw invalid('headers', 'valid header names', name)
    if (lower === 'last-event-id')
      throw invalid('headers', 'without Last-Event-ID (the "lastEventId" option sets it)')
    if (CONTROL.test(value) || /[^\0-\xff]/.test(value))
      throw invalid(
        'headers',
        `Latin-1 without control characters but tab in the value of "${name}"`,
      )
    return [lower, value.trim()]
  })
}

/** Validates the constructor's second argument. @internal */
export function normalizeOptions(init: unknown): NormalizedOptions {
  if (init === undefined || init === null) init = {}
  if (typeof init !== 'object' && typeof init !== 'function')
    throw new TypeError('EventSource: the second argument must be an object')
  const o = init as EventSourceOptions & Record<string, unknown>
  for (const name in TYPES) {
    const value = o[name]
    if (value !== undefined && (typeof value !== TYPES[name] || value === null))
      throw invalid(name, `of type ${TYPES[name]}`, value)
  }

  // Fetch refuses CONNECT, TRACE and TRACK, and upper-cases these six methods only.
  let method = o.method ?? 'GET'
  if (typeof method !== 'string' || !TOKEN.test(method) || /^(CONNECT|TRACE|TRACK)$/i.test(method))
    throw invalid('method', 'a method token fetch allows', method)
  if (/^(DELETE|GET|HEAD|OPTIONS|POST|PUT)$/i.test(method)) method = method.toUpperCase()

  if (
    o.body !== undefined &&
    o.body !== null &&
    typeof o.body !== 'function' &&
    (method === 'GET' || method === 'HEAD')
  ) {
    throw invalid('body', `absent for ${method} requests (set "method" too)`)
  }
  if (o.lastEventId !== undefined && CONTROL.test(o.lastEventId))
    throw invalid('lastEventId', 'free of control characters but tab')
  if (o.lastEventIdQueryParam === '') throw invalid('lastEventIdQueryParam', 'a non-empty string')
  if (
    o.credentials !== undefined &&
    ['omit', 'same-origin', 'include'].indexOf(o.credentials) === -1
  ) {
    throw invalid('credentials', '"omit", "same-origin" or "include"', o.credentials)
  }
  const withCredentials = Boolean(o.withCredentials)
  return {
    withCredentials,
    credentials: o.credentials ?? (withCredentials ? 'include' : 'same-origin'),
    method,
    headers:
      o.headers === undefined || typeof o.headers === 'function'
        ? o.headers
        : headerEntries(o.headers),
    body: o.body,
    fetch: o.fetch,
    lastEventId: o.lastEventId ?? '',
    lastEventIdQueryParam: o.lastEventIdQueryParam,
    retry: normalizeRetry(o.retry),
    shouldRetry: o.shouldRetry,
    readTimeout: checkNumber('readTimeout', o.readTimeout, [1]) ?? Infinity,
    maxBufferSize: checkNumber('maxBufferSize', o.maxBufferSize, [1]) ?? DEFAULT_MAX_BUFFER_SIZE,
    dispatcher: o.dispatcher,
    proxy: o.proxy,
    httpVersion: o.httpVersion,
    pauseWhenHidden: o.pauseWhenHidden ?? false,
    reconnectWhenOnline: o.reconnectWhenOnline ?? false,
    share: o.share,
  }
}
