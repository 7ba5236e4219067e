/**
 * What the Node transports (node:http, node:http2 and undici's `request`) share: each sends one
 * raw HTTP request and gets a raw response (status, lower-cased headers, a Node readable body);
 * this module does what fetch would do around that for an EventSource: follow redirects, ask
 * for and undo content codings, stream the body to the connection, and on abort release the
 * connection (an error body small enough is read to its end, so the connection is reused).
 * @internal
 */
import { ACCEPT_ENCODING, type ContentDecoder, createDecoder } from './content-coding.js'
import type { TransportHandle, TransportHandlers, TransportRequest } from './transport.js'

/** Response headers as node:http and undici give them (names lower-cased). @internal */
export type IncomingHeaders = Record<string, string | string[] | undefined>

/** A body as all three give it: a Node readable stream. @internal */
export interface NodeBody {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  once(event: 'end' | 'close', listener: () => void): unknown
  destroy(): void
  readonly readableEnded: boolean
  readonly destroyed: boolean
  /** node:http's: unref'd while an unwanted body drains, so the process may exit meanwhile. */
  readonly socket?: { unref(): unknown } | null
}

/** One HTTP response, before any redirect is followed. @internal */
export interface RawResponse {
  readonly statusCode: number
  readonly headers: IncomingHeaders
  readonly body: NodeBody
  /**
   * Whether reading the rest of an unwanted body lets its connection carry another request
   * (HTTP/1.1); an HTTP/2 stream is reset instead, which costs the session nothing.
   */
  readonly reusable: boolean
}

/**
 * Sends one request, without following redirects. Until the promise settles, the function given
 * to `onCancel` stops the request; the transport's abort calls it.
 * @internal
 */
export type SendRequest = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  onCancel: (cancel: () => void) => void,
) => Promise<RawResponse>

/** Redirects followed before giving up, as fetch does. */
const MAX_REDIRECTS = 20
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that must not follow a redirect to another origin (fetch drops them too). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']
/**
 * An unwanted body (an error status, a redirect) up to this size is read to its end, so its
 * HTTP/1.1 connection goes back to the pool instead of a new one per retry; beyond it, or after
 * DRAIN_MS, the connection is closed.
 */
const DRAIN_LIMIT = 8 * 1024
const DRAIN_MS = 1000

/**
 * Whether a Node transport can send this body as it is; anything else (Blob, FormData, streams)
 * goes through fetch, which knows how to encode it.
 * @internal
 */
export function canSendRaw(body: unknown): boolean {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
  )
}

/**
 * Runs one request of a Node transport to the end of the transport contract: `send` for each
 * hop of the redirect chain, then the final body, decoded, to `handlers`. `abort()` cancels the
 * request in flight, or releases the body (see {@link SendRequest}, `DRAIN_LIMIT`). `describe`
 * rewords a transport's own errors before `onError` gets them.
 * @internal
 */
export function runExchange(
  request: TransportRequest,
  send: SendRequest,
  handlers: TransportHandlers,
  describe: (error: unknown) => unknown = (error) => error,
): TransportHandle {
  let aborted = false
  let cancel: (() => void) | undefined
  let stopBody: (() => void) | undefined
  const isAborted = () => aborted
  followRedirects(
    request,
    (url, method, headers, body) => {
      if (aborted) return Promise.reject(new Error('aborted before sending'))
      const sent = send(url, method, headers, body, (stop) => {
        cancel = stop
      })
      const settled = () => {
        cancel = undefined
      }
      sent.then(settled, settled)
      return sent
    },
    isAborted,
  ).then(
    (final) => {
      if (final === undefined) return
      // Aborted between the response and this turn: nobody wants it.
      if (aborted) release(final.response)
      else stopBody = streamBody(final.url, final.response, handlers, isAborted, describe)
    },
    (error: unknown) => {
      if (!aborted) handlers.onError(describe(error))
    },
  )
  return {
    abort() {
      if (aborted) return
      aborted = true
      if (stopBody !== undefined) stopBody()
      else cancel?.()
    },
  }
}

/**
 * Sends with `send`, following redirects as fetch's "follow" mode does (dropping credentials
 * across origins, turning a 303, or a 301/302 after a POST, into a GET). Resolves with the final
 * response and its URL, or undefined when aborted meanwhile.
 */
async function followRedirects(
  request: TransportRequest,
  send: (
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | null,
  ) => Promise<RawResponse>,
  aborted: () => boolean,
): Promise<{ url: string; response: RawResponse } | undefined> {
  let url = request.url
  let method = request.method
  let body = request.body as string | Uint8Array | null
  const headers: Record<string, string> = { ...request.headers }
  // As fetch's cache mode "no-store" adds them.
  headers['cache-control'] ??= 'no-cache'
  headers['pragma'] ??= 'no-cache'
  // As fetch does, unless the user chose: a server may compress even when not asked (RFC 9110),
  // so every coding this Node decodes is offered.
  headers['accept-encoding'] ??= ACCEPT_ENCODING
  for (let redirects = 0; ; redirects++) {
    const response = await send(url, method, headers, body)
    if (aborted()) {
      release(response)
      return undefined
    }
    const location = header(response.headers, 'location')
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === null) return { url, response }
    // Once the body is read, the next request can go over the same connection.
    await release(response)
    if (redirects === MAX_REDIRECTS) throw new TypeError('Too many redirects')
    const next = new URL(location, url)
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new TypeError(`Redirect to a URL that is not HTTP(S): ${next.protocol}`)
    }
    // As fetch refuses it (node:http would send them as Basic auth); the URL is not repeated.
    if (next.username !== '' || next.password !== '') {
      throw new TypeError('Redirect to a URL with credentials (user:password@)')
    }
    if (new URL(url).origin !== next.origin) {
      for (const name of CREDENTIAL_HEADERS) delete headers[name]
    }
    if (
      (response.statusCode === 303 && method !== 'GET' && method !== 'HEAD') ||
      ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
    ) {
      method = 'GET'
      body = null
      delete headers['content-type']
      delete headers['content-length']
    }
    url = next.href
  }
}

/**
 * Hands the final response to `handlers`: the head, then the body's bytes (decoded when the
 * response has a content coding), then its end or failure. Returns what stops it on abort.
 */
function streamBody(
  url: string,
  response: RawResponse,
  handlers: TransportHandlers,
  isAborted: () => boolean,
  describe: (error: unknown) => unknown,
): () => void {
  const { body } = response
  let finished = false
  let decoder: ContentDecoder | undefined
  const coding = header(response.headers, 'content-encoding')
  try {
    decoder =
      coding === null
        ? undefined
        : createDecoder(coding, {
            data: (chunk) => {
              if (!isAborted()) handlers.onChunk(chunk)
            },
            end: () => {
              if (!isAborted()) handlers.onEnd()
            },
            // Never garbage to the parser: a body that does not decode fails the attempt.
            error: (error) => {
              if (isAborted()) return
              finished = true
              release(response)
              handlers.onError(error)
            },
          })
  } catch (error) {
    // A coding this Node cannot decode: the body cannot be read, so no head either.
    release(response)
    handlers.onError(error)
    return () => undefined
  }
  const stop = (): void => {
    decoder?.destroy()
    if (!finished) release(response)
  }
  handlers.onResponse({
    status: response.statusCode,
    url,
    headers: { get: (name) => header(response.headers, name) },
  })
  if (isAborted()) {
    stop()
    return () => undefined
  }
  body.on('data', (chunk) => {
    if (isAborted() || finished) return
    if (decoder === undefined) handlers.onChunk(chunk)
    else decoder.write(chunk)
  })
  body.once('end', () => {
    finished = true
    if (isAborted()) return
    if (decoder === undefined) handlers.onEnd()
    else decoder.end()
  })
  // `on`, not `once`: an abort may error the body again after a first error.
  body.on('error', (error) => {
    if (finished) return
    finished = true
    decoder?.destroy()
    if (!isAborted()) handlers.onError(describe(error))
  })
  return stop
}

/**
 * Lets go of a body nobody will read. On a reusable (HTTP/1.1) connection, a small one (an error
 * page, a redirect's) is read to its end, so the connection carries the next attempt; anything
 * else is destroyed, which closes the HTTP/1.1 connection or resets the HTTP/2 stream. Resolves
 * when the body is done with, at most DRAIN_MS later.
 */
function release(response: RawResponse): Promise<void> {
  const { body } = response
  // Destroying makes it emit `error` (an abort): an uncaught exception without a listener.
  body.on('error', () => undefined)
  if (body.readableEnded || body.destroyed) return Promise.resolve()
  const length = header(response.headers, 'content-length')
  const declared = length === null ? undefined : Number(length)
  const small =
    declared === undefined ? response.statusCode !== 200 : declared >= 0 && declared <= DRAIN_LIMIT
  if (!response.reusable || !small) {
    body.destroy()
    return Promise.resolve()
  }
  body.socket?.unref()
  return new Promise((resolve) => {
    let read = 0
    const timer = setTimeout(() => body.destroy(), DRAIN_MS)
    timer.unref?.()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    body.once('end', done)
    body.once('close', done)
    // A listener makes the body flow, into nothing.
    body.on('data', (chunk) => {
      read += chunk.length
      if (read > DRAIN_LIMIT) body.destroy()
    })
  })
}

function header(headers: IncomingHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()]
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}
