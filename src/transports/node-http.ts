import * as http from 'node:http'
import * as https from 'node:https'
import { type RawResponse, sendFollowingRedirects } from './node-response.js'
import type { Transport, TransportHandle } from './transport.js'

/**
 * The default Node transport: node:http(s) with Node's global agents, the client with the least
 * work per chunk and per connection in Node (bench/: throughput, memory per idle connection and
 * time to the first event). Requests with a `dispatcher` or a proxy go through undici instead.
 * No AbortController: aborting destroys the request in flight directly, which spares an
 * AbortSignal and its listener (about 1 KB) per open connection.
 * @internal
 */
export const nodeHttpTransport: Transport = (request, handlers): TransportHandle => {
  let aborted = false
  let abortInFlight: (() => void) | undefined
  const isAborted = () => aborted
  const onError = (error: unknown): void => {
    if (!aborted) handlers.onError(clarify(error))
  }
  sendFollowingRedirects(
    request,
    (url, method, headers, body) =>
      send(url, method, headers, body, isAborted, (abort) => {
        abortInFlight = abort
      }),
    { ...handlers, onError },
    isAborted,
  ).catch(onError)
  return {
    abort() {
      if (aborted) return
      aborted = true
      abortInFlight?.()
    },
  }
}

/**
 * node:http calls a connection reset mid-body "aborted" and one before the response "socket hang
 * up": say what happened instead (the `error` event's message quotes it).
 */
function clarify(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (!(error instanceof Error) || code !== 'ECONNRESET') return error
  const what =
    error.message === 'aborted'
      ? 'the connection closed before the stream ended'
      : error.message === 'socket hang up'
        ? 'the connection closed before a response'
        : undefined
  return what === undefined ? error : Object.assign(new Error(`${what} (ECONNRESET)`), { code })
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  isAborted: () => boolean,
  onAbortable: (abort: () => void) => void,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (isAborted()) {
      reject(new Error('aborted before sending'))
      return
    }
    const target = new URL(url)
    const outgoing = { ...headers }
    // As fetch does: a POST or PUT without a body says so.
    if (body === null && (method === 'POST' || method === 'PUT')) outgoing['content-length'] ??= '0'
    const client = target.protocol === 'https:' ? https : http
    const sent = client.request(target, { method, headers: outgoing })
    let received: http.IncomingMessage | undefined
    // Once the response has ended, its socket belongs to the agent's pool again: leave it be.
    onAbortable(() => {
      if (received?.complete !== true) sent.destroy()
    })
    sent.on('response', (response) => {
      received = response
      resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: response })
    })
    // Before the response this fails the attempt; after it, the body reports the failure too
    // (and this listener keeps the request's own error event from going uncaught).
    sent.on('error', (error) => {
      // A socket error after the head makes node:http end a close-delimited body as if the
      // server had closed it (its parser is told the input ended): a reset would read as the end
      // of the stream. Fail the body first, with node:http's own error for a body cut short.
      if (received?.complete === false)
        received.destroy(
          Object.assign(new Error('aborted', { cause: error }), { code: 'ECONNRESET' }),
        )
      reject(error)
    })
    sent.end(body ?? undefined)
  })
}
