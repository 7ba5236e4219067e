import { once } from 'node:events'
import http from 'node:http'
import net, { type AddressInfo, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/** What the proxy was asked for. */
export interface ProxiedRequest {
  /** `CONNECT` for a tunnel, otherwise the forwarded request's method. */
  readonly method: string
  /** `host:port` for CONNECT, the absolute URL for a forwarded (absolute-form) request. */
  readonly target: string
  /** The `Proxy-Authorization` header, when sent. */
  readonly proxyAuthorization: string | undefined
}

export interface ProxyServerOptions {
  /** `user:password` the proxy requires (HTTP Basic); it answers 407 to anything else. */
  readonly credentials?: string
}

// Connection-level headers a proxy must not pass on (RFC 9110 §7.6.1), and its own credentials.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

// Only loopback targets: the proxy must never become a way out of the machine.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value
  }
  return kept
}

/**
 * A forward HTTP proxy on 127.0.0.1 for tests: it forwards absolute-form requests
 * (`GET http://host:port/path`) and tunnels `CONNECT host:port` with a raw TCP connection, to
 * loopback targets only, and records every request it gets.
 */
export class ProxyServer {
  readonly #server: http.Server
  readonly #sockets = new Set<Duplex>()
  readonly #expectedAuthorization: string | undefined
  readonly requests: ProxiedRequest[] = []
  /** `http://127.0.0.1:port` */
  url = ''
  port = 0

  private constructor(options: ProxyServerOptions) {
    this.#expectedAuthorization =
      options.credentials === undefined
        ? undefined
        : `Basic ${Buffer.from(options.credentials).toString('base64')}`
    this.#server = http.createServer((req, res) => this.#forward(req, res))
    this.#server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#tunnel(req, socket, head),
    )
    this.#server.on('connection', (socket: Socket) => this.#track(socket))
    this.#server.on('clientError', (_error, socket: Duplex) => socket.destroy())
  }

  /** Starts a proxy on a free port of 127.0.0.1. */
  static async start(options: ProxyServerOptions = {}): Promise<ProxyServer> {
    const proxy = new ProxyServer(options)
    proxy.#server.listen(0, '127.0.0.1')
    await once(proxy.#server, 'listening')
    proxy.port = (proxy.#server.address() as AddressInfo).port
    proxy.url = `http://127.0.0.1:${proxy.port}`
    return proxy
  }

  /** Stops listening and destroys every connection, tunnels and upstream connections included. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
  }

  /** Records the request; answers false when the proxy's credentials are missing or wrong. */
  #admit(method: string, target: string, headers: http.IncomingHttpHeaders): boolean {
    const proxyAuthorization = headers['proxy-authorization']
    this.requests.push({ method, target, proxyAuthorization })
    return (
      this.#expectedAuthorization === undefined ||
      proxyAuthorization === this.#expectedAuthorization
    )
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET'
    const target = req.url ?? ''
    if (!this.#admit(method, target, req.headers)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test proxy"' }).end()
      return
    }
    let url: URL
    try {
      url = new URL(target)
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('absolute-form requests only')
      return
    }
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (url.protocol !== 'http:' || !LOOPBACK.has(hostname)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('loopback http:// targets only')
      return
    }
    const upstream = http.request({
      host: hostname,
      port: url.port === '' ? 80 : Number(url.port),
      method,
      path: `${url.pathname}${url.search}`,
      headers: endToEnd(req.headers),
      agent: false,
    })
    upstream.on('socket', (socket) => this.#track(socket))
    upstream.on('response', (response) => {
      res.writeHead(response.statusCode ?? 502, endToEnd(response.headers))
      res.flushHeaders()
      response.pipe(res)
    })
    upstream.on('error', () => {
      if (res.headersSent) res.destroy()
      else res.writeHead(502, { 'Content-Type': 'text/plain' }).end('upstream failed')
    })
    // The client leaving (a closed EventSource) ends the upstream request too.
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  }

  #tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): void {
    const target = req.url ?? ''
    client.on('error', () => client.destroy())
    if (!this.#admit('CONNECT', target, req.headers)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\n' +
          'Proxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n',
      )
      return
    }
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target)
    const host = match?.[1]
    if (match === null || host === undefined || !LOOPBACK.has(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const upstream = net.connect(Number(match[2]), host)
    this.#track(upstream)
    let connected = false
    upstream.once('connect', () => {
      connected = true
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => {
      if (connected) client.destroy()
      else client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
    })
    upstream.on('close', () => {
      if (connected) client.destroy()
    })
    client.on('close', () => upstream.destroy())
  }
}
