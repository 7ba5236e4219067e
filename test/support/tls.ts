import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A test CA and a server certificate it signed, for 127.0.0.1 and localhost (PEM). */
export interface TestCertificates {
  /** The CA certificate: trust this one to verify the server. */
  readonly ca: string
  /** The server's certificate (the leaf only: a client needs `ca` to build the chain). */
  readonly cert: string
  /** The server's private key. */
  readonly key: string
}

let cached: Promise<TestCertificates> | undefined

/**
 * A CA and a server certificate made with the `openssl` CLI, once per process. The files live in
 * a temporary directory only while they are made: it is removed before this resolves.
 */
export function testCertificates(): Promise<TestCertificates> {
  cached ??= generate()
  return cached
}

async function generate(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'isomorphic-eventsource-tls-'))
  const file = (name: string): string => join(dir, name)
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 20_000 })
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    await openssl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=isomorphic-eventsource test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    )
    await openssl(
      'req',
      ...ecKey,
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=localhost',
    )
    await writeFile(
      file('server.ext'),
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    )
    await openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      '2',
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
      '-out',
      file('server.pem'),
    )
    const [ca, cert, key] = await Promise.all(
      ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(file(name), 'utf8')),
    )
    if (ca === undefined || cert === undefined || key === undefined) throw new Error('unreachable')
    return { ca, cert, key }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** What the HTTPS server saw of one request. */
export interface HttpsRequest {
  readonly method: string
  readonly path: string
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/**
 * A loopback HTTPS server with the test certificate that answers every request with an event
 * stream of `events` (one `data:` line each), then keeps it open until the client leaves.
 */
export class HttpsEventServer {
  readonly #server: https.Server
  readonly #sockets = new Set<Socket>()
  readonly requests: HttpsRequest[] = []
  url = ''
  /** `host:port`, as a CONNECT request names it. */
  authority = ''

  private constructor(certificates: TestCertificates, events: readonly string[]) {
    this.#server = https.createServer({ cert: certificates.cert, key: certificates.key })
    this.#server.on('request', (req, res) => {
      this.requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
      })
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
      res.write(events.map((data) => `data: ${data}\n\n`).join(''))
    })
    // Raw TCP connections, so that close() can end streams that are still open.
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(events: readonly string[] = ['one', 'two']): Promise<HttpsEventServer> {
    const server = new HttpsEventServer(await testCertificates(), events)
    server.#server.listen(0, '127.0.0.1')
    await once(server.#server, 'listening')
    const { port } = server.#server.address() as AddressInfo
    server.authority = `127.0.0.1:${port}`
    server.url = `https://${server.authority}/events`
    return server
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
