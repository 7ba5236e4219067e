import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** One scripted response. Everything has a default, so `{}` is an empty, healthy stream. */
export interface Reply {
  /** @defaultValue 200 */
  status?: number
  /** @defaultValue `{ 'Content-Type': 'text/event-stream' }` (replaced, not merged, when given) */
  headers?: Record<string, string>
  /** Written in order: text, raw bytes, or a number of milliseconds to wait. */
  body?: ReadonlyArray<string | Uint8Array | number>
  /** After the body: end the response, keep it open, or destroy the socket (a network error). */
  finish?: 'end' | 'hang' | 'destroy'
  /** Destroy the socket before any response: a network error before the connection opens. */
  drop?: boolean
}

/** What the server saw of one request. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  /** Lower-cased names; values exactly as received (latin-1 view of the bytes). */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The `Last-Event-ID` header decoded as UTF-8, or undefined when absent. */
  readonly lastEventId: string | undefined
  readonly body: string
  /** Milliseconds since the route was created. */
  readonly at: number
  /** Live: whether the TCP connection that carried this request has closed. */
  readonly connection: { readonly closed: boolean }
}

/** Decides the reply to the n-th request (0-based) of a route. */
export type Script = (request: RecordedRequest, attempt: number) => Reply

/** A route: its absolute URL on the server's origin, and the requests it received so far. */
export interface Route {
  readonly url: string
  readonly path: string
  readonly requests: RecordedRequest[]
}

/**
 * A loopback HTTP server that tests script per route and that records what it receives. It can
 * also serve static files (for browser pages) through `serve`.
 */
export class FixtureServer {
  readonly #server: http.Server
  readonly #sockets = new Set<Socket>()
  readonly #routes = new Map<string, { script: Script; route: Route; created: number }>()
  readonly #static = new Map<
    string,
    { type: string; body: string | Uint8Array; headers: Record<string, string> }
  >()
  #counter = 0
  origin = ''

  private constructor() {
    this.#server = http.createServer((req, res) => void this.#handle(req, res))
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** Starts a server on a free port of `host` (127.0.0.1 by default). */
  static async start(host = '127.0.0.1'): Promise<FixtureServer> {
    const fixture = new FixtureServer()
    fixture.#server.listen(0, host)
    await once(fixture.#server, 'listening')
    const { port } = fixture.#server.address() as AddressInfo
    fixture.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    return fixture
  }

  /** Open TCP connections right now. */
  get connections(): number {
    return this.#sockets.size
  }

  /** Adds a route answering with `script`; `name` only makes logs readable. */
  route(script: Script, name = 'route'): Route {
    const path = `/sse/${encodeURIComponent(name)}/${++this.#counter}`
    const route: Route = { url: `${this.origin}${path}`, path, requests: [] }
    this.#routes.set(path, { script, route, created: Date.now() })
    return route
  }

  /** Serves a fixed body at `path` (for pages and scripts in browser tests). */
  serve(
    path: string,
    type: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): string {
    this.#static.set(path, { type, body, headers })
    return `${this.origin}${path}`
  }

  /** Stops listening and destroys every open connection, hanging streams included. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // One record (and one listener) per TCP connection, shared by the requests it carries.
  readonly #connections = new WeakMap<Socket, { closed: boolean }>()

  #connectionOf(socket: Socket): { closed: boolean } {
    let connection = this.#connections.get(socket)
    if (connection === undefined) {
      const record = { closed: false }
      socket.once('close', () => {
        record.closed = true
      })
      this.#connections.set(socket, record)
      connection = record
    }
    return connection
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const file = this.#static.get(path)
    if (file !== undefined) {
      res.writeHead(200, {
        'Content-Type': file.type,
        'Cache-Control': 'no-store',
        ...file.headers,
      })
      res.end(file.body)
      return
    }
    const entry = this.#routes.get(path)
    if (entry === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such route')
      return
    }
    const connection = this.#connectionOf(req.socket)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const rawLastEventId = req.headers['last-event-id']
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { ...req.headers } as Record<string, string | undefined>,
      lastEventId:
        typeof rawLastEventId === 'string'
          ? Buffer.from(rawLastEventId, 'latin1').toString('utf8')
          : undefined,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now() - entry.created,
      connection,
    }
    const attempt = entry.route.requests.push(request) - 1
    const reply = entry.script(request, attempt)
    if (reply.drop) {
      req.socket.destroy()
      return
    }
    res.writeHead(reply.status ?? 200, reply.headers ?? { 'Content-Type': 'text/event-stream' })
    res.flushHeaders()
    for (const piece of reply.body ?? []) {
      if (typeof piece === 'number') await delay(piece)
      else if (!res.destroyed) res.write(piece)
    }
    if (reply.finish === 'destroy') res.destroy()
    else if (reply.finish !== 'hang') res.end()
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
