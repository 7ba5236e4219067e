/**
 * What the two Node transports (node:http and undici's `request`) share: both get a raw HTTP
 * response (status, lower-cased headers, a Node readable body) and must do what fetch would do
 * for an EventSource: follow redirects, then stream the body to the connection.
 * @internal
 */
import type { TransportHandlers, TransportRequest } from './transport.js'

/** Response headers as node:http and undici give them (names lower-cased). @internal */
export type IncomingHeaders = Record<string, string | string[] | undefined>

/** A body as both give it: a Node readable stream. @internal */
export interface NodeBody {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  once(event: 'end', listener: () => void): unknown
  destroy(): void
}

/** One HTTP response, before any redirect is followed. @internal */
export interface RawResponse {
  readonly statusCode: number
  readonly headers: IncomingHeaders
  readonly body: NodeBody
}

/** Sends one request, without following redirects. @internal */
export type SendRequest = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
) => Promise<RawResponse>

/** Redirects followed before giving up, as fetch does. */
const MAX_REDIRECTS = 20
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that must not follow a redirect to another origin (fetch drops them too). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

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
 * Sends `request` with `send`, following redirects as fetch's "follow" mode does (dropping
 * credentials across origins, turning a 303, or a 301/302 after a POST, into a GET), then hands
 * the final response to `handlers`. Resolves when the body has been handed over.
 * @internal
 */
export async function sendFollowingRedirects(
  request: TransportRequest,
  send: SendRequest,
  handlers: TransportHandlers,
  aborted: () => boolean,
): Promise<void> {
  let url = request.url
  let method = request.method
  let body = request.body as string | Uint8Array | null
  const headers: Record<string, string> = { ...request.headers }
  // As fetch's cache mode "no-store" adds them.
  headers['cache-control'] ??= 'no-cache'
  headers['pragma'] ??= 'no-cache'
  for (let redirects = 0; ; redirects++) {
    const response = await send(url, method, headers, body)
    if (aborted()) {
      discard(response.body)
      return
    }
    const location = header(response.headers, 'location')
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === null) {
      streamBody(url, response, handlers, aborted)
      return
    }
    discard(response.body)
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

function streamBody(
  url: string,
  response: RawResponse,
  handlers: TransportHandlers,
  isAborted: () => boolean,
): void {
  const { body } = response
  handlers.onResponse({
    status: response.statusCode,
    url,
    headers: { get: (name) => header(response.headers, name) },
  })
  if (isAborted()) {
    discard(body)
    return
  }
  body.on('data', (chunk) => {
    if (!isAborted()) handlers.onChunk(chunk)
  })
  body.once('end', () => {
    if (!isAborted()) handlers.onEnd()
  })
  // `on`, not `once`: an abort may error the body again after a first error.
  body.on('error', (error) => {
    if (!isAborted()) handlers.onError(error)
  })
}

/**
 * Drops a body nobody will read. Destroying it makes it emit `error` (an abort), which would be
 * an uncaught exception without a listener.
 */
function discard(body: NodeBody): void {
  body.on('error', () => undefined)
  body.destroy()
}

function header(headers: IncomingHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()]
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}
