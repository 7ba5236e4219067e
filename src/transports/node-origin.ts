/**
 * Which HTTP an origin speaks, found once per origin and shared by every source in the process:
 * for `https:`, TLS ALPN offers `h2` and `http/1.1` and the server picks; the answer is a pool of
 * HTTP/2 sessions (node-http2.ts) or a keep-alive HTTP/1.1 agent of that origin's own. Sources
 * that start while the first connection is being negotiated wait for it rather than opening one
 * each. The negotiated connection is not wasted: it carries the first session, or the agent's
 * first request.
 * @internal
 */
import * as https from 'node:https'
import * as net from 'node:net'
import type { Duplex } from 'node:stream'
import * as tls from 'node:tls'
import { Http2Origin } from './node-http2.js'

/**
 * Which HTTP the Node transport speaks: `auto` negotiates for `https:` (HTTP/1.1 for `http:`),
 * `1.1` never offers HTTP/2, `2` requires it (with prior knowledge for `http:`, "h2c").
 * @internal
 */
export type HttpVersion = 'auto' | '1.1' | '2'

/** Where requests to an origin go: its HTTP/2 sessions, or its HTTP/1.1 agent. @internal */
export type Route = { readonly h2: Http2Origin } | { readonly agent: https.Agent }

const routes = new Map<string, Promise<Route>>()

/**
 * The route for `url`'s origin with `version` `auto` (https: only) or `2`, negotiated on first
 * use. A failed negotiation is not remembered: the next attempt tries again.
 * @internal
 */
export function routeFor(url: URL, version: 'auto' | '2'): Promise<Route> {
  const key = `${version} ${url.origin}`
  let route = routes.get(key)
  if (route === undefined) {
    const forget = () => {
      if (routes.get(key) === route) routes.delete(key)
    }
    route = negotiate(url, version, forget)
    route.catch(forget)
    routes.set(key, route)
  }
  return route
}

async function negotiate(url: URL, version: 'auto' | '2', forget: () => void): Promise<Route> {
  const origin = url.origin
  if (url.protocol === 'http:') {
    // h2c with prior knowledge: nothing to negotiate.
    return { h2: new Http2Origin(origin, () => connectTcp(url), forget) }
  }
  const offer = version === '2' ? ['h2'] : ['h2', 'http/1.1']
  const socket = await connectTls(url, offer)
  if (socket.alpnProtocol === 'h2') {
    return { h2: new Http2Origin(origin, () => connectTls(url, ['h2'], true), forget, socket) }
  }
  if (version === '2') {
    socket.destroy()
    throw new Error(
      `${origin} does not speak HTTP/2 (TLS ALPN chose ${socket.alpnProtocol || 'no protocol'})`,
    )
  }
  return { agent: originAgent(socket, forget) }
}

/**
 * A keep-alive agent for one HTTP/1.1 origin, with the options of Node's global agent (so
 * `https.globalAgent.options.ca` and friends apply as to any node:https request). Its first
 * connection is the one ALPN was negotiated on; the route is forgotten when its last connection
 * closes.
 */
function originAgent(negotiated: tls.TLSSocket, forget: () => void): https.Agent {
  let spare: tls.TLSSocket | undefined = negotiated
  let open = 0
  const track = (socket: Duplex): void => {
    open++
    socket.once('close', () => {
      if (--open === 0) forget()
    })
  }
  track(negotiated)
  // Unused, it must not linger: closed after the time the agent keeps an idle socket.
  const unused = setTimeout(() => spare?.destroy(), idleSocketMs())
  unused.unref()
  const agent = new https.Agent({ ...https.globalAgent.options, keepAlive: true })
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex
  agent.createConnection = (...args: unknown[]): Duplex => {
    const socket = spare
    spare = undefined
    clearTimeout(unused)
    if (socket !== undefined && !socket.destroyed) {
      socket.ref()
      return socket
    }
    const created = create(...args)
    track(created)
    return created
  }
  return agent
}

function idleSocketMs(): number {
  const timeout = (https.globalAgent.options as { timeout?: number }).timeout
  return typeof timeout === 'number' && timeout > 0 ? timeout : 5000
}

/**
 * A TLS connection to `url`'s origin offering `alpn`, with the options node:https would use
 * (Node's global agent's: `ca`, `rejectUnauthorized`…), verified the same way. Unref'd: the
 * requests waiting for it keep the process alive (see `waiting` in node-http2.ts).
 */
/** Options of Node's global agent that are the agent's, not the TLS connection's. */
const AGENT_ONLY = new Set([
  'keepAlive',
  'keepAliveMsecs',
  'maxSockets',
  'maxFreeSockets',
  'maxTotalSockets',
  'maxCachedSessions',
  'scheduling',
  'timeout',
  'path',
])

function connectTls(url: URL, alpn: string[], requireH2 = false): Promise<tls.TLSSocket> {
  const defaults: Record<string, unknown> = {}
  const global = https.globalAgent.options as Record<string, unknown>
  for (const name in global) if (!AGENT_ONLY.has(name)) defaults[name] = global[name]
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const socket = tls.connect({
    ...(defaults as tls.ConnectionOptions),
    host,
    port: Number(url.port || 443),
    // As node:https does: no SNI for an IP address (RFC 6066); the certificate is checked anyway.
    servername: net.isIP(host) === 0 ? host : '',
    ALPNProtocols: alpn,
  })
  socket.unref()
  return settle(socket, 'secureConnect').then(
    () => {
      if (requireH2 && socket.alpnProtocol !== 'h2') {
        socket.destroy()
        throw new Error(`${url.origin} no longer speaks HTTP/2`)
      }
      return socket
    },
    (error: { code?: unknown }) => {
      // The server's TLS refuses every protocol offered: say which, not OpenSSL's alert text.
      if (error.code !== 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') throw error
      throw Object.assign(
        new Error(
          `${url.origin} refused TLS ALPN ${alpn.join(', ')}${alpn.length === 1 ? ' (it does not speak HTTP/2)' : ''}`,
        ),
        { code: error.code },
      )
    },
  )
}

function connectTcp(url: URL): Promise<Duplex> {
  const socket = net.connect({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 80),
  })
  socket.unref()
  return settle(socket, 'connect').then(() => socket)
}

/**
 * Resolves once `socket` has connected. Its error listener stays: until the session or the agent
 * that takes the socket listens, an error must not be an uncaught exception.
 */
function settle(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => resolve())
    socket.on('error', reject)
  })
}
