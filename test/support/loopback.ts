/**
 * Loopback servers of any kind (node:http, node:https, node:http2, Express) for tests that need
 * their own handler, and a recorder for a source's events. `listen` counts the TCP connections a
 * server accepted (connection reuse shows there) and `close` destroys every one of them, HTTP/2
 * sessions included, so no test leaves a socket behind.
 */
import { once } from 'node:events'
import type http from 'node:http'
import type http2 from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import {
  EventSource,
  type EventSourceErrorEvent,
  type EventSourceOptions,
} from 'isomorphic-eventsource'

type AnyServer = http.Server | http2.Http2Server | http2.Http2SecureServer

/** A listening server and what it saw. */
export interface Loopback {
  /** `http://127.0.0.1:<port>` or `https://…`. */
  readonly origin: string
  /** TCP connections accepted so far. */
  readonly connections: () => number
  /** HTTP/2 sessions begun so far. */
  readonly sessions: () => number
  /** Every HTTP/2 session still open. */
  readonly openSessions: () => http2.ServerHttp2Session[]
  /** Destroys every TCP connection now, under whatever it carries (no HTTP/2 frame first). */
  dropConnections(): void
  /** Stops listening and destroys every connection. */
  close(): Promise<void>
}

/** Starts `server` on a free port of 127.0.0.1 (`https` for TLS servers). */
export async function listen(server: AnyServer, scheme: 'http' | 'https'): Promise<Loopback> {
  const sockets = new Set<Socket>()
  const live = new Set<http2.ServerHttp2Session>()
  let connections = 0
  let sessions = 0
  server.on('connection', (socket: Socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions++
    live.add(session)
    session.on('close', () => live.delete(session))
    session.on('error', () => undefined)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    connections: () => connections,
    sessions: () => sessions,
    openSessions: () => [...live],
    dropConnections() {
      for (const socket of sockets) socket.destroy()
    },
    async close() {
      for (const session of live) session.destroy()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** What a source did, as one log: `open`, `message <data> #<lastEventId>`, `error <readyState>`. */
export interface Seen {
  readonly log: string[]
  /** Each message event's `origin`. */
  readonly origins: string[]
  readonly errors: EventSourceErrorEvent[]
  readonly source: EventSource
}

/**
 * Opens a source and records until `until` holds (then closes it and resolves) or `timeout`
 * passes (then closes it and rejects with what was seen).
 */
export function record(
  url: string,
  options: EventSourceOptions,
  until: (seen: Seen) => boolean,
  timeout = 8000,
): Promise<Seen> {
  const source = new EventSource(url, options)
  const seen: Seen = { log: [], origins: [], errors: [], source }
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!until(seen)) return
      clearTimeout(timer)
      source.close()
      resolve(seen)
    }
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`timed out; saw ${JSON.stringify(seen.log)}`))
    }, timeout)
    source.onopen = () => {
      seen.log.push('open')
      check()
    }
    source.onmessage = (event) => {
      seen.log.push(`message ${event.data} #${event.lastEventId}`)
      seen.origins.push(event.origin)
      check()
    }
    source.addEventListener('error', (event) => {
      seen.errors.push(event)
      seen.log.push(`error ${source.readyState}`)
      check()
    })
  })
}

/** Messages logged so far. */
export const messages = (seen: Seen): number =>
  seen.log.filter((entry) => entry.startsWith('message')).length

/** Resolves after `ms`. */
export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))
