import type { EventSourceFetchInit, FetchLike, ReaderLike } from '../types.js'
import { runAbortable, type Transport, type TransportHandle } from './transport.js'

const NOT_A_STREAM = 'must resolve to a Response whose body is a ReadableStream of bytes'

/**
 * A transport on `fetch` and response body streams: browsers, Deno, Bun, and Node when a `fetch`
 * is passed.
 *
 * Promise callbacks rather than async/await: the legacy bundle would need Babel's regenerator
 * runtime for this one loop. Each read schedules the next without returning it, so a stream that
 * lasts for days does not build a chain of promises waiting on one another.
 *
 * A fetch that breaks its contract (throws instead of returning a promise, resolves to something
 * without a stream body, yields chunks that are not bytes, or is no function at all) is reported
 * as fatal: a programming error must not look like a flaky network and be retried forever. A
 * rejection stays a network error.
 *
 * @param fetchImpl - the fetch to call; the global one (looked up per request, so a fetch
 *   polyfilled after import is used) when absent.
 * @internal
 */
export function createFetchTransport(fetchImpl?: FetchLike): Transport {
  return (request, handlers): TransportHandle => {
    let fatal = false
    return runAbortable(
      (signal, aborted) =>
        new Promise<void>((_, reject) => {
          const broken = (problem: string, cause?: unknown): void => {
            fatal = true
            reject(new TypeError(`EventSource option "fetch" ${problem}`, { cause }))
          }
          const init: EventSourceFetchInit = {
            method: request.method,
            headers: request.headers as EventSourceFetchInit['headers'],
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
          const read = (reader: ReaderLike): void => {
            reader
              .read()
              .then(({ done, value }) => {
                if (aborted()) return
                if (done) handlers.onEnd()
                // Bytes are typed arrays (ES5 has no ArrayBuffer.isView to ask).
                else if (typeof (value as Uint8Array | undefined)?.byteOffset !== 'number')
                  broken(NOT_A_STREAM)
                else {
                  handlers.onChunk(value as Uint8Array)
                  // Not after an abort from inside onChunk (close() in a message handler): in
                  // Deno a read begun after the abort can keep the response, and the process,
                  // alive.
                  if (!aborted()) read(reader)
                }
              })
              .catch(reject)
          }
          const fetch = fetchImpl ?? globalThis.fetch
          let pending: ReturnType<FetchLike>
          try {
            pending = fetch(request.url, init)
          } catch (error) {
            broken(
              typeof fetch === 'function' ? `threw: ${error}` : 'is needed: there is no fetch',
              error,
            )
            return
          }
          // Promise.resolve: a fetch that returns the response itself works too.
          Promise.resolve(pending)
            .then((response) => {
              if (aborted()) return
              const body = response?.body
              // null is a response without a body (what HEAD gets): the stream ends at once.
              if (body !== null && typeof body?.getReader !== 'function') {
                // A Node stream (node-fetch's body) is destroyed quietly now: the abort that
                // follows would otherwise make it emit an error nobody listens to.
                ;(body as { destroy?: () => void } | undefined)?.destroy?.()
                broken(NOT_A_STREAM)
                return
              }
              handlers.onResponse({
                status: response.status,
                url: response.url,
                headers: response.headers,
              })
              if (aborted()) return
              if (body === null) handlers.onEnd()
              else read(body.getReader())
            })
            .catch(reject)
        }),
      (error) => handlers.onError(error, fatal),
    )
  }
}
