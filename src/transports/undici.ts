import type { Dispatcher } from 'undici'
import { runExchange } from './node-response.js'
import type { Transport, TransportHandle } from './transport.js'

/**
 * The Node transport for a `dispatcher` or a proxy: undici's `request`, the dispatcher API under
 * its fetch, without fetch's per-request and per-chunk machinery (web streams, Response
 * objects). undici is loaded on first use: a process that never needs it never pays for it.
 * Bodies are never timed out by undici (streams may be quiet for long; `readTimeout` is the
 * liveness check). Which HTTP version it speaks is the dispatcher's choice (undici's `allowH2`).
 * @internal
 */
export function createUndiciTransport(
  dispatcher: () => Promise<Dispatcher | undefined>,
): Transport {
  return (request, handlers): TransportHandle =>
    runExchange(
      request,
      async (url, method, headers, body, onCancel) => {
        // Until the head: after it, the body is released (read to its end or destroyed) instead.
        const controller = new AbortController()
        onCancel(() => controller.abort())
        const [{ request: send }, agent] = await Promise.all([import('undici'), dispatcher()])
        const response = await send(url, {
          ...(agent === undefined ? {} : { dispatcher: agent }),
          method: method as 'GET',
          headers,
          body,
          signal: controller.signal,
          bodyTimeout: 0,
          headersTimeout: 0,
        })
        return {
          statusCode: response.statusCode,
          headers: response.headers,
          body: response.body,
          reusable: true,
        }
      },
      handlers,
    )
}
