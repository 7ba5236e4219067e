import type { FetchLike } from '../types.js'
import { runAbortable, type Transport, type TransportHandle } from './transport.js'

/**
 * A transport on `fetch` and response body streams: browsers, Deno, Bun, and Node when a `fetch`
 * is passed.
 *
 * Promise callbacks rather than async/await: the legacy bundle would need Babel's regenerator
 * runtime for this one loop. Each read schedules the next without returning it, so a stream that
 * lasts for days does not build a chain of promises waiting on one another.
 *
 * @param fetchImpl - the fetch to call; the global one (looked up per request, so a fetch
 *   polyfilled after import is used) when absent.
 * @internal
 */
export function createFetchTransport(fetchImpl?: FetchLike): Transport {
  return (request, handlers): TransportHandle =>
    runAbortable(
      (signal, aborted) =>
        new Promise<void>((_, reject) => {
          const init: RequestInit & { duplex?: 'half' } = {
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
          const read = (reader: ReadableStreamDefaultReader<Uint8Array>): void => {
            reader
              .read()
              .then(({ done, value }) => {
                if (aborted()) return
                if (done) handlers.onEnd()
                else {
                  handlers.onChunk(value)
                  read(reader)
                }
              })
              .catch(reject)
          }
          ;(fetchImpl ?? globalThis.fetch)(request.url, init)
            .then((response) => {
              if (aborted()) return
              handlers.onResponse({
                status: response.status,
                url: response.url,
                headers: response.headers,
              })
              if (aborted()) return
              const body = response.body
              if (body === null) handlers.onEnd()
              else read(body.getReader())
            })
            .catch(reject)
        }),
      (error) => handlers.onError(error),
    )
}
