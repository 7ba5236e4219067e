import type { Dispatcher } from 'undici'
import { sendFollowingRedirects } from './node-response.js'
import { runAbortable, type Transport, type TransportHandle } from './transport.js'

/**
 * The Node transport for a `dispatcher` or a proxy: undici's `request`, the dispatcher API under
 * its fetch, without fetch's per-request and per-chunk machinery (web streams, Response
 * objects). undici is loaded on first use: a process that never needs it never pays for it.
 * Bodies are never timed out by undici (streams may be quiet for long; `readTimeout` is the
 * liveness check).
 * @internal
 */
export function createUndiciTransport(
  dispatcher: () => Promise<Dispatcher | undefined>,
): Transport {
  return (request, handlers): TransportHandle =>
    runAbortable(
      async (signal, aborted) => {
        const [{ request: send }, agent] = await Promise.all([import('undici'), dispatcher()])
        if (aborted()) return
        await sendFollowingRedirects(
          request,
          async (url, method, headers, body) => {
            const response = await send(url, {
              ...(agent === undefined ? {} : { dispatcher: agent }),
              method: method as 'GET',
              headers,
              body,
              signal,
              bodyTimeout: 0,
              headersTimeout: 0,
            })
            return {
              statusCode: response.statusCode,
              headers: response.headers,
              body: response.body,
            }
          },
          handlers,
          aborted,
        )
      },
      (error) => handlers.onError(error),
    )
}
