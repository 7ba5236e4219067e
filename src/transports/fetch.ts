import type { Transport, TransportHandle } from '../transport.js'

/**
 * A transport on the platform's `fetch` and response body streams: browsers, Deno, Bun and
 * Node (whose global fetch is undici's).
 * @internal
 */
export const fetchTransport: Transport = (request, handlers): TransportHandle => {
  const controller = new AbortController()
  let aborted = false

  const run = async (): Promise<void> => {
    // Looked up per call, not at import, so a fetch polyfilled later is used.
    const response = await globalThis.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      credentials: request.credentials,
      // [spec] "creating a potential-CORS request" and "set request's cache mode to no-store".
      mode: 'cors',
      cache: 'no-store',
      redirect: 'follow',
      signal: controller.signal,
    })
    if (aborted) return
    handlers.onResponse({ status: response.status, url: response.url, headers: response.headers })
    if (aborted) return
    const body = response.body
    if (body === null) {
      handlers.onEnd()
      return
    }
    const reader = body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (aborted) return
      if (done) {
        handlers.onEnd()
        return
      }
      handlers.onChunk(value)
    }
  }

  run().catch((error: unknown) => {
    if (!aborted) handlers.onError(error)
  })

  return {
    abort() {
      if (aborted) return
      aborted = true
      // Rejects the pending read (swallowed above) and lets the platform drop the socket.
      controller.abort()
    },
  }
}
