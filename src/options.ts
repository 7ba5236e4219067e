/**
 * The constructor's options: public types, defaults and validation. Everything is checked once,
 * at construction, so a bad option is a `TypeError` that names it, never a failure later.
 */
import type { ErrorReason } from './events.js'
import { NATIVE_RETRY_POLICY, type RetryPolicy } from './retry.js'
import type { FetchLike } from './types.js'

/** What hooks called before each connection attempt are told. @public */
export interface ConnectContext {
  /** 1 for the first request, then one more for every reconnect. */
  readonly attempt: number
  /** The last event ID the request will resume from ('' for none). */
  readonly lastEventId: string
  /** The URL being requested (with the `lastEventIdQueryParam`, when set). */
  readonly url: string
}

/** The part of a response a retry decision may look at. @public */
export interface ResponseHeadersLike {
  /** A header's value (several joined with ", "), or null when absent; the name is case-insensitive. */
  get(name: string): string | null
}

/** What `shouldRetry` is told about a failure. @public */
export interface RetryContext {
  /** Consecutive failed attempts, this one included. */
  readonly attempt: number
  /** The HTTP status, when a response caused the failure. */
  readonly status?: number | undefined
  /** The response headers, when a response caused the failure. */
  readonly headers?: ResponseHeadersLike | undefined
  /** The underlying error (network error, read timeout, a hook that threw), when there is one. */
  readonly error?: unknown
  /** What kind of failure (`end`, `network`, `http`, `timeout`, …): see `ErrorReason`. */
  readonly reason: ErrorReason
  /** What went wrong, in words. */
  readonly message: string
  /** The request method. */
  readonly method: string
  /** The last event ID the next attempt would resume from. */
  readonly lastEventId: string
  /** What the source will do unless `shouldRetry` decides otherwise. */
  readonly willRetry: boolean
  /** The delay it would wait (backoff, or the response's `Retry-After`). */
  readonly delay: number
}

/** Backoff and give-up settings (the `retry` option). @public */
export interface RetryOptions {
  /**
   * Reconnection time until the server sends a `retry:` field, which replaces it.
   * @defaultValue 3000 (the spec's)
   */
  initialDelay?: number
  /** Upper bound for the grown delay; a server's `retry:` above it is still honoured. @defaultValue Infinity */
  maxDelay?: number
  /** Multiplier per consecutive failed attempt. @defaultValue 1 (fixed delay, as the spec) */
  factor?: number
  /** Random extra of up to this fraction of the delay (0–1); it only ever lengthens. @defaultValue 0 */
  jitter?: number
  /** A connection open this long (ms) resets the failure count. @defaultValue 0 */
  resetAfter?: number
  /** Give up (readyState `CLOSED`, a final `error`) after this many consecutive failed attempts. @defaultValue Infinity */
  maxAttempts?: number
  /**
   * HTTP statuses that reconnect instead of failing the connection, for idempotent methods (for
   * other methods only when `shouldRetry` says so). A `Retry-After` header sets the delay.
   * @defaultValue [] (the spec fails on every status but 200)
   */
  statuses?: readonly number[]
}

// fetch's own types, reached through `RequestInit`, which the DOM library and Node's types both
// declare: the declarations then compile in either.
/** What fetch accepts as a body. @public */
export type BodyValue = NonNullable<RequestInit['body']>
/** What fetch accepts as headers. @public */
export type HeadersValue = NonNullable<RequestInit['headers']>
/** A fetch credentials mode. @public */
export type CredentialsMode = NonNullable<RequestInit['credentials']>

/** A body, or where it comes from. @public */
export type BodySource =
  | BodyValue
  | null
  | ((context: ConnectContext) => BodyValue | null | Promise<BodyValue | null>)

/** Request headers, or a function that gives them for each attempt. @public */
export type HeadersSource =
  | HeadersValue
  | ((context: ConnectContext) => HeadersValue | Promise<HeadersValue>)

/**
 * The second constructor argument: the W3C `EventSourceInit`, plus the extensions. With none of
 * the extensions set, the source behaves exactly as the native one.
 * @public
 */
export interface EventSourceOptions {
  /**
   * Send cookies and HTTP authentication with a cross-origin request (CORS credentials mode
   * `include`); same-origin requests always send them.
   * @defaultValue `false`
   */
  withCredentials?: boolean | undefined
  /** Request headers, or a (possibly async) function called before every attempt. */
  headers?: HeadersSource | undefined
  /** HTTP method. @defaultValue 'GET' */
  method?: string | undefined
  /** Request body; a function gives a fresh one for each attempt (needed for stream bodies). */
  body?: BodySource | undefined
  /** A fetch implementation to use instead of the platform's (see {@link EventSourceFetchInit}). */
  fetch?: FetchLike | undefined
  /** Fetch credentials mode; overrides what `withCredentials` implies. */
  credentials?: CredentialsMode | undefined
  /** Resume from this id: sent as `Last-Event-ID` from the first request on. @defaultValue '' */
  lastEventId?: string | undefined
  /** Also send the last event ID in this query parameter (for servers that cannot read the header). */
  lastEventIdQueryParam?: string | undefined
  /** `false`: never reconnect (every drop fails the connection); or backoff settings. */
  retry?: false | RetryOptions | undefined
  /** Decides per failure: `true`/`false` to retry or not, a number of ms to retry after that delay, `undefined` for the default. */
  shouldRetry?: ((context: RetryContext) => boolean | number | undefined) | undefined
  /** Milliseconds without a single byte (comments count) after which the connection is dropped and reestablished. @defaultValue Infinity */
  readTimeout?: number | undefined
  /**
   * Largest line or event, in characters, the source buffers; a bigger one fails the connection
   * with a clear error instead of growing memory without bound. @defaultValue 16 Mi (16,777,216)
   */
  maxBufferSize?: number | undefined
  /** Node only: the undici `Dispatcher` requests go through (TLS options, keep-alive, sockets). */
  dispatcher?: object | undefined
  /** Node only: `false` ignores `HTTP(S)_PROXY`; a URL forces that proxy. @defaultValue from the environment */
  proxy?: false | string | URL | undefined
  /** Browser only: disconnect while the page is hidden, resume (with Last-Event-ID) when it shows. @defaultValue false */
  pauseWhenHidden?: boolean | undefined
  /** Browser only: while waiting to reconnect, reconnect at once when the browser comes back online. @defaultValue false */
  reconnectWhenOnline?: boolean | undefined
}

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
  readonly proxy: false | string | undefined
  readonly pauseWhenHidden: boolean
  readonly reconnectWhenOnline: boolean
}

/** 16 Mi characters: far above real events (feature-flag payloads run to megabytes). @internal */
export const DEFAULT_MAX_BUFFER_SIZE = 16 * 1024 * 1024

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// In a header value, CR, LF and NUL would inject headers.
const CR_LF_NUL = /[\r\n\0]/

/** Every option error: the option, what it must be, and what it got (left out when secret). */
function invalid(name: string, expected: string, got?: unknown): TypeError {
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

function checkNumber(
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
  return policy as unknown as RetryPolicy
}

/**
 * Header entries of any `HeadersInit` shape, validated: names must be tokens, values byte strings
 * (fetch's rule: nothing beyond U+00FF) without CR, LF or NUL, and `Last-Event-ID` belongs to its
 * own option. Names are lower-cased so the connection can merge its own headers without
 * duplicates.
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
    if (CR_LF_NUL.test(value) || /[^\0-\xff]/.test(value))
      throw invalid('headers', `Latin-1 without CR, LF or NUL in the value of "${name}"`)
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
  if (o.lastEventId !== undefined && CR_LF_NUL.test(o.lastEventId))
    throw invalid('lastEventId', 'free of CR, LF and NUL')
  if (o.lastEventIdQueryParam === '') throw invalid('lastEventIdQueryParam', 'a non-empty string')
  if (
    o.credentials !== undefined &&
    ['omit', 'same-origin', 'include'].indexOf(o.credentials) === -1
  ) {
    throw invalid('credentials', '"omit", "same-origin" or "include"', o.credentials)
  }
  let proxy = o.proxy as false | string | URL | undefined
  if (proxy !== undefined && proxy !== false) {
    if (typeof proxy === 'string' || (typeof URL === 'function' && proxy instanceof URL))
      proxy = String(proxy)
    // Never shown: a proxy URL may carry credentials.
    if (typeof proxy !== 'string' || !/^https?:\/\//i.test(proxy))
      throw invalid('proxy', 'false or an http(s):// URL')
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
    proxy,
    pauseWhenHidden: o.pauseWhenHidden ?? false,
    reconnectWhenOnline: o.reconnectWhenOnline ?? false,
  }
}
