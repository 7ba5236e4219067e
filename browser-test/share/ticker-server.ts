/**
 * A live SSE server for the sharing tests, on 127.0.0.1: named feeds whose events (`id: n`,
 * `data: <feed>-<n>`) go to every open stream of the feed at once, a replay of what came after
 * `Last-Event-ID` for a stream that resumes, CORS for pages of another origin (so that the pages
 * load from a server whose connection pool the streams do not fill), and counts of what is open:
 * streams per feed and TCP connections.
 */
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What the server saw of one stream request. */
export interface StreamRequest {
  readonly feed: string
  /** The `X-Tab` header: the tab whose headers function made the request, when there is one. */
  readonly tab: string | undefined
  readonly lastEventId: string | undefined
  /**
   * Whether it carried the pages' cookie: only a credentialed request does (`withCredentials`),
   * the pages being of another origin (but the same site: cookies ignore ports).
   */
  readonly credentials: boolean
  /** Date.now() when it arrived. */
  readonly at: number
}

interface Feed {
  readonly events: string[]
  readonly streams: Set<http.ServerResponse>
  timer: ReturnType<typeof setInterval> | undefined
  /** The status every request gets from now on, when not 200. */
  refuse: number | undefined
}

export class TickerServer {
  readonly #server: http.Server
  readonly #sockets = new Set<Socket>()
  readonly #feeds = new Map<string, Feed>()
  readonly requests: StreamRequest[] = []
  origin = ''

  private constructor() {
    this.#server = http.createServer((request, response) => this.#handle(request, response))
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  static async start(): Promise<TickerServer> {
    const server = new TickerServer()
    server.#server.listen(0, '127.0.0.1')
    await once(server.#server, 'listening')
    server.origin = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`
    return server
  }

  /** The URL of a feed. */
  url(feed: string): string {
    return `${this.origin}/feed/${feed}`
  }

  /** Open TCP connections. */
  get connections(): number {
    return this.#sockets.size
  }

  /** Open streams of `feed`. */
  streams(feed: string): number {
    return this.#feed(feed).streams.size
  }

  /** Open streams of every feed. */
  streamsOpen(): number {
    let open = 0
    for (const state of this.#feeds.values()) open += state.streams.size
    return open
  }

  /** Sends the next event of `feed` (named `type`, when given) to its open streams; returns its id. */
  emit(feed: string, type?: string): number {
    const state = this.#feed(feed)
    const id = state.events.length + 1
    const event = `${type === undefined ? '' : `event: ${type}\n`}id: ${id}\ndata: ${feed}-${id}\n\n`
    state.events.push(event)
    for (const stream of state.streams) stream.write(event)
    return id
  }

  /** Emits an event of `feed` every `ms` until {@link stop}. */
  tick(feed: string, ms: number): void {
    const state = this.#feed(feed)
    clearInterval(state.timer)
    state.timer = setInterval(() => this.emit(feed), ms)
  }

  /** Stops the ticking of `feed`; returns the id of its last event. */
  stop(feed: string): number {
    const state = this.#feed(feed)
    clearInterval(state.timer)
    state.timer = undefined
    return state.events.length
  }

  /** Ends every open stream of `feed`, as a server restarting would. */
  drop(feed: string): void {
    for (const stream of this.#feed(feed).streams) stream.end()
  }

  /** Answers every later request for `feed` with `status` (204: "stop reconnecting"). */
  refuse(feed: string, status: number): void {
    this.#feed(feed).refuse = status
  }

  async close(): Promise<void> {
    for (const state of this.#feeds.values()) clearInterval(state.timer)
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #feed(name: string): Feed {
    let state = this.#feeds.get(name)
    if (state === undefined) {
      state = { events: [], streams: new Set(), timer: undefined, refuse: undefined }
      this.#feeds.set(name, state)
    }
    return state
  }

  #handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    // Credentialed CORS needs the page's origin echoed, not `*`.
    const cors = {
      'Access-Control-Allow-Origin': request.headers.origin ?? '*',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    }
    const match = /^\/feed\/([\w-]+)$/.exec((request.url ?? '').split('?')[0] ?? '')
    if (request.method === 'OPTIONS') {
      // A preflight (the headers function's X-Tab, Last-Event-ID): its connection closes, so the
      // count of connections is the count of streams.
      response.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '',
        'Access-Control-Max-Age': '600',
        Connection: 'close',
      })
      response.end()
      return
    }
    if (match === null || request.method !== 'GET') {
      response.writeHead(404, { ...cors, Connection: 'close' }).end()
      return
    }
    const feed = match[1] as string
    const state = this.#feed(feed)
    const rawLast = request.headers['last-event-id']
    const lastEventId = typeof rawLast === 'string' ? rawLast : undefined
    const tab = request.headers['x-tab']
    this.requests.push({
      feed,
      tab: typeof tab === 'string' ? tab : undefined,
      lastEventId,
      credentials: request.headers.cookie !== undefined,
      at: Date.now(),
    })
    if (state.refuse !== undefined) {
      response.writeHead(state.refuse, { ...cors, Connection: 'close' }).end()
      return
    }
    response.writeHead(200, {
      ...cors,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
    })
    // A comment first: Firefox settles fetch() only once a byte of the body has arrived. A short
    // reconnection time, for the tests that drop streams.
    response.write(': stream\nretry: 100\n\n')
    // Resume: what came after the id the client has, then live.
    const from = lastEventId === undefined ? state.events.length : Number(lastEventId)
    for (const event of state.events.slice(from)) response.write(event)
    state.streams.add(response)
    response.on('close', () => state.streams.delete(response))
  }
}
