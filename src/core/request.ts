/**
 * Request preparation for one attempt: the `headers` and `body` hooks, the one-shot body check,
 * header merging, and the request headers the spec adds (Accept, Last-Event-ID).
 */
import { withQueryParam } from '#platform'
import type { TransportRequest } from '../transports/transport.js'
import type { ConnectContext } from '../types.js'
import { CONTROL, headerEntries, type NormalizedOptions } from './options.js'
import { utf8HeaderValue } from './utf8.js'

/** The headers and body of one attempt, once the hooks gave them. @internal */
export interface PreparedRequest {
  readonly headers: Array<[string, string]>
  readonly body: BodyInit | null
}

/** A hook (`headers`, `body`) that threw or rejected: reported with the hook's name; retried. @internal */
export class HookError extends Error {
  constructor(hook: string, cause: unknown) {
    super(`The "${hook}" option threw: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    })
  }
}

/** The URL of an attempt: with the last event ID in `lastEventIdQueryParam`, when set. @internal */
export function requestUrl(url: string, options: NormalizedOptions, lastEventId: string): string {
  const param = options.lastEventIdQueryParam
  if (param === undefined || lastEventId === '') return url
  return withQueryParam(url, param, lastEventId)
}

/**
 * Resolves the `headers` and `body` options for one attempt; async only when a hook is. A hook
 * that throws or rejects becomes a {@link HookError}; a body that cannot be sent again throws a
 * `TypeError` (retrying cannot help).
 * @internal
 */
export function prepareRequest(
  options: NormalizedOptions,
  context: ConnectContext,
): PreparedRequest | Promise<PreparedRequest> {
  const headers = resolveHeaders(options, context)
  const body = resolveBody(options, context)
  if (isThenable(headers) || isThenable(body)) {
    return Promise.all([headers, body]).then(([h, b]) => ({ headers: h, body: b }))
  }
  return { headers, body }
}

/**
 * Whether an absolute URL carries credentials (`user:password@`). fetch refuses such a URL and
 * node:http would send it as Basic auth: as Chromium does, the source fails the connection
 * instead, the same in every build, and no message repeats the URL.
 * @internal
 */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z\d+.-]*:\/\/[^/?#]*@/i.test(url)
}

/** The longest server `id` the source adopts: a longer one would be a header most servers refuse. @internal */
export const MAX_ID_LENGTH = 1024

/**
 * Whether a server's `id` can be sent back as `Last-Event-ID`. One that cannot (a control
 * character, or longer than {@link MAX_ID_LENGTH}) is not adopted, as the spec ignores an id with
 * NUL: otherwise every later reconnect would fail before it is sent, forever.
 * @internal
 */
export function canSendId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && !CONTROL.test(id)
}

/** The request the transport sends for a prepared attempt. @internal */
export function buildRequest(
  url: string,
  prepared: PreparedRequest,
  lastEventId: string,
  options: Pick<NormalizedOptions, 'method' | 'credentials'>,
): TransportRequest {
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
  if (lastEventId !== '') headers['Last-Event-ID'] = utf8HeaderValue(lastEventId)
  return {
    url,
    method: options.method,
    headers,
    body: prepared.body,
    // [spec] CORS settings "Anonymous" → same-origin; "Use Credentials" → include.
    credentials: options.credentials,
  }
}

function resolveHeaders(
  options: NormalizedOptions,
  context: ConnectContext,
): Array<[string, string]> | Promise<Array<[string, string]>> {
  const source = options.headers
  if (typeof source !== 'function') return source ?? []
  return callHook('headers', () => source(context), headerEntries)
}

function resolveBody(
  options: NormalizedOptions,
  context: ConnectContext,
): BodyInit | null | Promise<BodyInit | null> {
  const source = options.body
  if (typeof source === 'function') {
    return callHook(
      'body',
      () => source(context),
      (body) => body,
    )
  }
  // A stream can be read once: re-sending it would send an empty body, silently.
  if (
    context.attempt > 1 &&
    typeof ReadableStream === 'function' &&
    source instanceof ReadableStream
  ) {
    throw new TypeError(
      'The "body" option is a ReadableStream, which can be sent once: pass a function that returns a new body per attempt.',
    )
  }
  return source ?? null
}

/**
 * Calls a hook, then `use` on what it returns (or resolves to). A throw or rejection of the hook
 * becomes a HookError naming it (retried: a token service may be down for a moment); one of
 * `use` (a header no request can carry) stays the TypeError it is, which fails the connection:
 * the next attempt would get the same. Async only when the hook is.
 */
function callHook<T, R>(hook: string, call: () => T | PromiseLike<T>, use: (value: T) => R) {
  const fail = (error: unknown): never => {
    throw new HookError(hook, error)
  }
  let result: T | PromiseLike<T>
  try {
    result = call()
  } catch (error) {
    return fail(error)
  }
  return isThenable(result) ? Promise.resolve(result).then(use, fail) : use(result)
}

/** @internal */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
