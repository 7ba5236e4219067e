import * as http from 'node:http'
import * as https from 'node:https'
import { waiting } from './node-http2.js'
import { type HttpVersion, routeFor } from './node-origin.js'
import { type RawResponse, runExchange, type SendRequest } from './node-response.js'
import type { Transport } from './transport.js'

/**
 * The default Node transport: node:http(s), and node:http2 where the server speaks it, the
 * clients with the least work per chunk and per connection in Node (bench/: throughput, memory
 * per idle connection and time to the first event). Requests with a `dispatcher` or a proxy go
 * through undici instead.
 *
 * With `version` `auto`, an `https:` origin is asked by ALPN (node-origin.ts) and answered over
 * HTTP/2 sessions shared by every source (node-http2.ts) or a keep-alive HTTP/1.1 agent of its
 * own; `http:` uses Node's global agent. `1.1` is node:http(s) with Node's global agents only;
 * `2` requires HTTP/2 (h2c with prior knowledge for `http:`).
 * @internal
 */
export function createNodeHttpTransport(version: HttpVersion): Transport {
  const send: SendRequest = (url, method, headers, body, onCancel) => {
    const target = new URL(url)
    const negotiated = target.protocol === 'https:' ? version !== '1.1' : version === '2'
    if (!negotiated || usesOwnAgent(target)) {
      return sendHttp1(target, method, headers, body, onCancel, undefined)
    }
    return waiting(routeFor(target, version === '2' ? '2' : 'auto'), onCancel).then((route) =>
      'h2' in route
        ? route.h2.send(url, method, headers, body, onCancel)
        : sendHttp1(target, method, headers, body, onCancel, route.agent),
    )
  }
  return (request, handlers) => runExchange(request, send, handlers, clarify)
}

/** The transport of sources with no `httpVersion`: HTTP/2 where an https: server offers it. @internal */
export const nodeHttpTransport: Transport = createNodeHttpTransport('auto')

/**
 * A user who replaced `https.globalAgent` (a proxy agent, say) gets it, as node:https would use
 * it: over HTTP/1.1, since it makes the connections.
 */
function usesOwnAgent(target: URL): boolean {
  return target.protocol === 'https:' && https.globalAgent.constructor !== https.Agent
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

/**
 * One HTTP/1.1 request with node:http(s), through `agent` (Node's global agent when undefined).
 * No AbortController: cancelling destroys the request directly, which spares an AbortSignal and
 * its listener (about 1 KB) per open connection.
 */
function sendHttp1(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  onCancel: (cancel: () => void) => void,
  agent: http.Agent | undefined,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = { ...headers }
    // As fetch does: a POST or PUT without a body says so.
    if (body === null && (method === 'POST' || method === 'PUT')) outgoing['content-length'] ??= '0'
    const client = target.protocol === 'https:' ? https : http
    const options: http.RequestOptions = { method, headers: outgoing }
    if (agent !== undefined) options.agent = agent
    const sent = client.request(target, options)
    let received: http.IncomingMessage | undefined
    onCancel(() => sent.destroy())
    sent.on('response', (response) => {
      received = response
      resolve({
        statusCode: response.statusCode ?? 0,
        headers: response.headers,
        body: response,
        reusable: true,
      })
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
