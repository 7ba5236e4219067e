import { request as undiciRequest } from 'undici'
import { runAbortable, type Transport, type TransportHandle } from '../transport.js'

type Dispatcher = NonNullable<Parameters<typeof undiciRequest>[1]>['dispatcher']
type IncomingHeaders = Record<string, string | string[] | undefined>

/** Redirects followed before giving up, as fetch does. */
const MAX_REDIRECTS = 20
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that must not follow a redirect to another origin (fetch drops them too). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

/**
 * Whether the undici transport can send this body as it is; anything else (Blob, FormData,
 * streams) goes through fetch, which knows how to encode it.
 * @internal
 */
export function undiciCanSend(body: unknown): boolean {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
  )
}

/**
 * The Node transport: undici's `request`, the dispatcher API under its fetch, without fetch's
 * per-request and per-chunk machinery (web streams, Response objects). It does what fetch would
 * do for an EventSource: follows redirects (dropping credentials across origins), reports the
 * final URL, sends `Cache-Control: no-cache` as cache mode no-store does, and never times out an
 * idle body (streams may be quiet for long; `readTimeout` is the liveness check).
 * @internal
 */
export function createUndiciTransport(dispatcher: Dispatcher | undefined): Transport {
  return (request, handlers): TransportHandle =>
    runAbortable(
      async (signal, aborted) => {
        let url = request.url
        let method = request.method
        let body = request.body as string | Uint8Array | null
        const headers: Record<string, string> = { ...request.headers }
        // As fetch's cache mode "no-store" adds them.
        headers['cache-control'] ??= 'no-cache'
        headers['pragma'] ??= 'no-cache'
        for (let redirects = 0; ; redirects++) {
          const response = await undiciRequest(url, {
            ...(dispatcher === undefined ? {} : { dispatcher }),
            method: method as 'GET',
            headers,
            body,
            signal,
            bodyTimeout: 0,
            headersTimeout: 0,
          })
          if (aborted()) {
            discard(response.body)
            return
          }
          const location = header(response.headers, 'location')
          if (REDIRECT_STATUSES.has(response.statusCode) && location !== null) {
            discard(response.body)
            if (redirects === MAX_REDIRECTS) throw new TypeError('Too many redirects')
            const next = new URL(location, url)
            if (next.protocol !== 'http:' && next.protocol !== 'https:') {
              throw new TypeError(`Redirect to a URL that is not HTTP(S): ${next.protocol}`)
            }
            if (new URL(url).origin !== next.origin) {
              for (const name of CREDENTIAL_HEADERS) delete headers[name]
            }
            // Fetch's method rewrite: 303 becomes GET; 301/302 turn a POST into a GET.
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
            continue
          }
          streamBody(url, response, handlers, aborted)
          return
        }
      },
      (error) => handlers.onError(error),
    )
}

function streamBody(
  url: string,
  response: Awaited<ReturnType<typeof undiciRequest>>,
  handlers: Parameters<Transport>[1],
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
  body.on('data', (chunk: Buffer) => {
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
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined)
  body.destroy()
}

function header(headers: IncomingHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()]
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}
