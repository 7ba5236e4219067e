/**
 * The server half of the contract suite: a loopback node:http server for one case, playing the
 * case's routes and counting its open connections. Its own server rather than
 * test/fixture-server.ts, whose replies cannot express what these cases need: close-delimited and
 * short Content-Length bodies, a reset (RST) rather than a close, a delayed head.
 *
 * With `http2` certificates it is a node:http2 secure server that refuses HTTP/1.1, playing the
 * same scripts in HTTP/2's terms: a body ends with the stream (there is no close-delimited body),
 * and a drop, a FIN or an RST is done to the TCP connection under the session.
 */
import { once } from 'node:events'
import http from 'node:http'
import http2 from 'node:http2'
import net, { type AddressInfo, type Socket } from 'node:net'
import type { RouteScript } from './cases.js'

/** The server's certificate and key, for HTTP/2. */
export interface ServerCertificates {
  readonly cert: string
  readonly key: string
}

type Request = http.IncomingMessage | http2.Http2ServerRequest
type Response = http.ServerResponse | http2.Http2ServerResponse

// Browser cases run from a page on another port: a simple cross-origin request, all headers
// readable.
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' }

export class ContractServer {
  readonly #server: http.Server | http2.Http2SecureServer
  readonly #sockets = new Set<Socket>()
  /** Sockets that carried a request. */
  readonly #used = new WeakSet<Socket>()
  /** HTTP/2 sessions and how many streams each has open. */
  readonly #sessions = new Map<http2.ServerHttp2Session, number>()
  /** `METHOD /path body` of each request, in order of arrival. */
  readonly requests: string[] = []
  origin = ''

  private constructor(
    routes: Readonly<Record<string, RouteScript>>,
    certificates: ServerCertificates | undefined,
  ) {
    const handle = (req: Request, res: Response) => {
      this.#reply(routes, req, res).catch(() => this.#tcp(req)?.destroy())
    }
    if (certificates === undefined) {
      this.#server = http.createServer(handle)
    } else {
      const server = http2.createSecureServer({ ...certificates, allowHTTP1: false })
      server.on('request', handle)
      server.on('session', (session) => {
        this.#sessions.set(session, 0)
        session.on('error', () => undefined)
        session.on('close', () => this.#sessions.delete(session))
        session.on('stream', (stream) => {
          this.#sessions.set(session, (this.#sessions.get(session) ?? 0) + 1)
          stream.on('error', () => undefined)
          stream.on('close', () => {
            const open = this.#sessions.get(session)
            if (open !== undefined) this.#sessions.set(session, open - 1)
          })
        })
      })
      this.#server = server
    }
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /**
   * Starts a server on a free port of 127.0.0.1 playing `routes`: HTTP/1.1, or HTTP/2 over TLS
   * with `http2` certificates.
   */
  static async start(
    routes: Readonly<Record<string, RouteScript>>,
    http2Certificates?: ServerCertificates,
  ): Promise<ContractServer> {
    const server = new ContractServer(routes, http2Certificates)
    server.#server.listen(0, '127.0.0.1')
    await once(server.#server, 'listening')
    const scheme = http2Certificates === undefined ? 'http' : 'https'
    server.origin = `${scheme}://127.0.0.1:${(server.#server.address() as AddressInfo).port}`
    return server
  }

  /** The origin of a port nothing listens on any more (a refused connection). */
  static async refusedOrigin(scheme: 'http' | 'https' = 'http'): Promise<string> {
    const probe = net.createServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    return `${scheme}://127.0.0.1:${port}`
  }

  /** The TCP connection under a request (for HTTP/2, the session's). */
  #tcp(req: Request): Socket | undefined {
    if (req instanceof http.IncomingMessage) return req.socket
    // The compatibility API hides the session's socket behind a proxy: find it by its port.
    const port = req.stream.session?.socket.remotePort
    for (const socket of this.#sockets) if (socket.remotePort === port) return socket
    return undefined
  }

  /** Open TCP connections right now. */
  get connections(): number {
    return this.#sockets.size
  }

  /**
   * Closes the idle connections, then waits up to `timeout` ms for the others to close; returns
   * how many are still open. Idle: a keep-alive socket after a finished response, or one that
   * never carried a request (the client's pool connected, and the request was aborted before it
   * was sent): both belong to the client's pool, not to a transport. A socket still carrying an
   * unfinished response can only be closed by the client: one left is a transport that did not
   * release it.
   */
  async released(timeout: number): Promise<number> {
    const deadline = Date.now() + timeout
    for (;;) {
      if (this.#server instanceof http.Server) this.#server.closeIdleConnections()
      // An HTTP/2 session without open streams is the client's pool, as an idle socket is.
      for (const [session, open] of this.#sessions) if (open === 0) session.close()
      for (const socket of this.#sockets) if (!this.#used.has(socket)) socket.destroy()
      if (this.#sockets.size === 0 || Date.now() > deadline) return this.#sockets.size
      await delay(25)
    }
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    for (const session of this.#sessions.keys()) session.destroy()
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  async #reply(
    routes: Readonly<Record<string, RouteScript>>,
    req: Request,
    res: Response,
  ): Promise<void> {
    const socket = this.#tcp(req)
    if (socket === undefined) return
    this.#used.add(socket)
    const h2 = !(req instanceof http.IncomingMessage)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const path = req.url ?? '/'
    this.requests.push(`${req.method} ${path}${body === '' ? '' : ` ${body}`}`)
    const script = routes[path]
    if (script === undefined) {
      res.writeHead(404, CORS).end()
      return
    }
    if (script.drop === true) {
      socket.destroy()
      return
    }
    if (script.delayHead !== undefined) await delay(script.delayHead)
    if (socket.destroyed) return
    const pieces = (script.body ?? []).map((piece) =>
      typeof piece === 'string' ? Buffer.from(piece) : piece,
    )
    const headers: Record<string, string> = {
      ...CORS,
      ...(script.headers ?? { 'content-type': 'text/event-stream' }),
    }
    const framing = script.framing ?? 'chunked'
    if (framing === 'length') {
      let total = 0
      for (const piece of pieces) if (typeof piece !== 'number') total += piece.length
      headers['content-length'] = String(script.contentLength ?? total)
    } else if (framing === 'close' && !h2) {
      // No length and no chunked coding: the body ends when the connection closes. (HTTP/2 has
      // no such body: it ends with its stream.)
      res.removeHeader('transfer-encoding')
      headers['connection'] = 'close'
    }
    // HTTP/2's writeHead sends the head at once; HTTP/1.1's when flushed.
    res.writeHead(script.status ?? 200, headers)
    if (res instanceof http.ServerResponse) res.flushHeaders()
    for (const piece of pieces) {
      if (socket.destroyed) return
      if (typeof piece === 'number') await delay(piece)
      else (res as http.ServerResponse).write(piece)
    }
    if (socket.destroyed) return
    const finish = script.finish ?? 'end'
    if (finish === 'end') res.end()
    else if (finish === 'fin') socket.destroy()
    else if (finish === 'reset') socket.resetAndDestroy()
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
