import * as http from 'node:http'
import * as https from 'node:https'
import { runAbortable, type Transport, type TransportHandle } from '../transport.js'
import { type RawResponse, sendFollowingRedirects } from './node-response.js'

/**
 * The default Node transport: node:http(s) with Node's global agents, the client with the least
 * work per chunk and per connection in Node (bench/: throughput, memory per idle connection and
 * time to the first event). Requests with a `dispatcher` or a proxy go through undici instead.
 * @internal
 */
export const nodeHttpTransport: Transport = (request, handlers): TransportHandle =>
  runAbortable(
    (signal, aborted) =>
      sendFollowingRedirects(
        request,
        (url, method, headers, body) => send(url, method, headers, body, signal),
        { ...handlers, onError: (error) => handlers.onError(clarify(error)) },
        aborted,
      ),
    (error) => handlers.onError(clarify(error)),
  )

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
  signal: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const outgoing = { ...headers }
    // As fetch does: a POST or PUT without a body says so.
    if (body === null && (method === 'POST' || method === 'PUT')) outgoing['content-length'] ??= '0'
    const client = target.protocol === 'https:' ? https : http
    const sent = client.request(target, { method, headers: outgoing })
    // Not node:http's `signal` option: it destroys the socket with an error even after the
    // response has ended and the socket has gone back to the agent's pool, where nothing listens
    // for it. An abort ends only a request still in flight.
    let received: http.IncomingMessage | undefined
    const abort = (): void => {
      if (received?.complete !== true) sent.destroy()
    }
    if (signal.aborted) abort()
    else signal.addEventListener('abort', abort, { once: true })
    sent.once('close', () => signal.removeEventListener('abort', abort))
    sent.once('response', (response) => {
      received = response
      resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: response })
    })
    // Before the response this fails the attempt; after it, the body reports the failure too
    // (and this listener keeps the request's own error event from going uncaught).
    sent.on('error', reject)
    sent.end(body ?? undefined)
  })
}
