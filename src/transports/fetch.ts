import type { FetchLike } from '../options.js'
import { runAbortable, type Transport, type TransportHandle } from '../transport.js'

/**
 * A transport on `fetch` and response body streams: browsers, Deno, Bun, and Node when a `fetch`
 * is passed.
 *
 * @param fetchImpl - the fetch to call; the global one (looked up per request, so a fetch
 *   polyfilled after import is used) when absent.
 * @param extraInit - more RequestInit members, such as undici's `dispatcher`.
 * @internal
 */
export function createFetchTransport(fetchImpl?: FetchLike, extraInit?: object): Transport {
  return (request, handlers): TransportHandle =>
    runAbortable(
      async (signal, aborted) => {
        const init: RequestInit & { duplex?: 'half' } = {
          ...extraInit,
          method: request.method,
          headers: request.headers,
          credentials: request.credentials,
          // [spec] "creating a potential-CORS request" and "set request's cache mode to no-store".
          mode: 'cors',
          cache: 'no-store',
          redirect: 'follow',
          signal,
        }
        if (request.body !== null) {
          init.body = request.body
          // A stream body must be sent half-duplex (fetch refuses it otherwise).
          if (typeof ReadableStream === 'function' && request.body instanceof ReadableStream)
            init.duplex = 'half'
        }
        const response = await (fetchImpl ?? globalThis.fetch)(request.url, init)
        if (aborted()) return
        handlers.onResponse({
          status: response.status,
          url: response.url,
          headers: response.headers,
        })
        if (aborted()) return
        const body = response.body
        if (body === null) {
          handlers.onEnd()
          return
        }
        const reader = body.getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (aborted()) return
          if (done) {
            handlers.onEnd()
            return
          }
          handlers.onChunk(value)
        }
      },
      (error) => handlers.onError(error),
    )
}
