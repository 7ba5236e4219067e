/**
 * The server half of the contract suite: a loopback node:http server for one case, playing the
 * case's routes and counting its open connections. Its own server rather than
 * test/fixture-server.ts, whose replies cannot express what these cases need: close-delimited and
 * short Content-Length bodies, a reset (RST) rather than a close, a delayed head.
 */
import { once } from 'node:events'
import http from 'node:http'
import net, { type AddressInfo, type Socket } from 'node:net'
import type { RouteScript } from './cases.js'

// Browser cases run from a page on another port: a simple cross-origin request, all headers
// readable.
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' }

export class ContractServer {
  readonly #server: http.Server
  readonly #sockets = new Set<Socket>()
  /** Sockets that carried a request. */
  readonly #used = new WeakSet<Socket>()
  /** `METHOD /path body` of each request, in order of arrival. */
  readonly requests: string[] = []
  origin = ''

  private constructor(routes: Readonly<Record<string, RouteScript>>) {
    this.#server = http.createServer((req, res) => {
      this.#reply(routes, req, res).catch(() => req.socket.destroy())
    })
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** Starts a server on a free port of 127.0.0.1 playing `routes`. */
  static async start(routes: Readonly<Record<string, RouteScript>>): Promise<ContractServer> {
    const server = new ContractServer(routes)
    server.#server.listen(0, '127.0.0.1')
    await once(server.#server, 'listening')
    server.origin = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`
    return server
  }

  /** The origin of a port nothing listens on any more (a refused connection). */
  static async refusedOrigin(): Promise<string> {
    const probe = net.createServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    return `http://127.0.0.1:${port}`
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
      this.#server.closeIdleConnections()
      for (const socket of this.#sockets) if (!this.#used.has(socket)) socket.destroy()
      if (this.#sockets.size === 0 || Date.now() > deadline) return this.#sockets.size
      await delay(25)
    }
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  async #reply(
    routes: Readonly<Record<string, RouteScript>>,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    this.#used.add(req.socket)
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
    const socket = req.socket
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
    } else if (framing === 'close') {
      // No length and no chunked coding: the body ends when the connection closes.
      res.removeHeader('transfer-encoding')
      headers['connection'] = 'close'
    }
    res.writeHead(script.status ?? 200, headers)
    res.flushHeaders()
    for (const piece of pieces) {
      if (socket.destroyed) return
      if (typeof piece === 'number') await delay(piece)
      else res.write(piece)
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
