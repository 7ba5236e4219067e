/**
 * HTTP/2 in Node, against node:http2 secure servers on loopback with the suite's test CA: an
 * h2-only server (allowHTTP1 false), one that speaks both, h2c with prior knowledge; many
 * sources over one session, GOAWAY, a reset stream, the server's stream limit, flow control; and
 * everything a source does over HTTP/1.1 (redirects, the content-type check, Last-Event-ID,
 * hooks, readTimeout, TLS verification, a dispatcher) done the same over h2.
 *
 * The default transport trusts the test CA the way any node:https request would be told to:
 * through `https.globalAgent.options.ca` (put back afterwards).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { delay, type Loopback, listen, messages, record } from './support/loopback.js'
import { HttpsEventServer, type TestCertificates, testCertificates } from './support/tls.js'

const SSE = { ':status': 200, 'content-type': 'text/event-stream' }
const EXIT_CHILD = fileURLToPath(new URL('./reliability/exit-child.mjs', import.meta.url))
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

let certificates: TestCertificates
let savedCa: unknown
beforeAll(async () => {
  certificates = await testCertificates()
  savedCa = https.globalAgent.options.ca
  https.globalAgent.options.ca = certificates.ca
}, 30_000)
afterAll(() => {
  https.globalAgent.options.ca = savedCa as string | undefined
})

/** An h2 server (secure unless `plain`) whose streams go to `onStream`; closed by the test. */
async function h2Server(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  options: { allowHTTP1?: boolean; plain?: boolean; settings?: http2.Settings } = {},
): Promise<Loopback> {
  const server = options.plain
    ? http2.createServer({ settings: options.settings ?? {} })
    : http2.createSecureServer({
        cert: certificates.cert,
        key: certificates.key,
        allowHTTP1: options.allowHTTP1 ?? false,
        settings: options.settings ?? {},
      })
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined)
    onStream(stream, headers)
  })
  return listen(server, options.plain ? 'http' : 'https')
}

/** Waits until `check` holds, polling; false after `limit` ms. */
async function eventually(check: () => boolean, limit = 5000): Promise<boolean> {
  const until = Date.now() + limit
  while (!check()) {
    if (Date.now() > until) return false
    await delay(10)
  }
  return true
}

describe('an h2-only server (allowHTTP1 false)', () => {
  let server: Loopback
  const requests: Array<{
    path: string
    lastEventId: string | undefined
    auth: string | undefined
  }> = []
  let silentCalls = 0
  let plainTarget = ''
  beforeAll(async () => {
    server = await h2Server((stream, headers) => {
      const path = String(headers[':path'])
      const lastEventId = headers['last-event-id'] as string | undefined
      requests.push({ path, lastEventId, auth: headers['authorization'] as string | undefined })
      if (path.startsWith('/drop')) {
        // Events 1 and 2, then a reset of this stream (RST_STREAM); resumed after Last-Event-ID.
        const from = Number(lastEventId ?? 0)
        stream.respond(SSE)
        stream.write(`retry: 20\nid: ${from + 1}\ndata: ${from + 1}\n\n`)
        stream.write(`id: ${from + 2}\ndata: ${from + 2}\n\n`)
        // (close(code) would end the stream first: destroy() sends RST_STREAM INTERNAL_ERROR.)
        if (from === 0) setTimeout(() => stream.destroy(new Error('reset')), 30)
      } else if (path === '/redirect') {
        stream.respond({ ':status': 307, location: '/drop?redirected' })
        stream.end()
      } else if (path === '/to-plain') {
        // To another origin, over HTTP/1.1 (set by the test that uses it).
        stream.respond({ ':status': 302, location: plainTarget })
        stream.end()
      } else if (path === '/html') {
        stream.respond({ ':status': 200, 'content-type': 'text/html' })
        stream.end('<p>no</p>')
      } else if (path === '/unavailable') {
        stream.respond({ ':status': 503, 'content-type': 'text/plain' })
        stream.end('busy')
      } else if (path === '/silent') {
        // The head, then nothing the first time; an event the second.
        stream.respond(SSE)
        if (silentCalls++ > 0) stream.write('id: 1\ndata: awake\n\n')
      } else if (path === '/gzip') {
        stream.respond({ ...SSE, 'content-encoding': 'gzip' })
        stream.end(zlib.gzipSync('id: 1\ndata: packed\n\n'))
      } else {
        stream.respond({ ':status': 404 })
        stream.end()
      }
    })
  })
  afterAll(() => server.close())

  test('streams every event with its id, and resumes with Last-Event-ID after the server resets the stream, on the same session', async () => {
    const seen = await record(`${server.origin}/drop`, {}, (s) => messages(s) === 4)
    expect(seen.log).toEqual([
      'open',
      'message 1 #1',
      'message 2 #2',
      'error 0',
      'open',
      'message 3 #3',
      'message 4 #4',
    ])
    expect(seen.errors[0]?.reason).toBe('network')
    expect(seen.errors[0]?.message).toBe(
      'Network error: Stream closed with error code NGHTTP2_INTERNAL_ERROR',
    )
    expect(requests.filter((r) => r.path === '/drop').map((r) => r.lastEventId)).toEqual([
      undefined,
      '2',
    ])
    expect([server.connections(), server.sessions()]).toEqual([1, 1])
  })

  test('a redirect is followed; the headers hook runs per attempt; origin is the final URL', async () => {
    const attempts: number[] = []
    const seen = await record(
      `${server.origin}/redirect`,
      {
        headers: ({ attempt }) => {
          attempts.push(attempt)
          return { Authorization: `Bearer ${attempt}` }
        },
      },
      (s) => messages(s) === 4,
    )
    expect(seen.log).toEqual([
      'open',
      'message 1 #1',
      'message 2 #2',
      'error 0',
      'open',
      'message 3 #3',
      'message 4 #4',
    ])
    expect(attempts).toEqual([1, 2])
    expect(
      requests
        .filter((r) => r.path === '/redirect' || r.path === '/drop?redirected')
        .map((r) => `${r.path} ${r.auth} ${r.lastEventId}`),
    ).toEqual([
      '/redirect Bearer 1 undefined',
      '/drop?redirected Bearer 1 undefined',
      '/redirect Bearer 2 2',
      '/drop?redirected Bearer 2 2',
    ])
  })

  test('a redirect from HTTP/2 to an http: origin over HTTP/1.1: origin is the final one', async () => {
    const plain = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write('id: 7\ndata: plain\n\n')
      }),
      'http',
    )
    plainTarget = `${plain.origin}/events`
    try {
      const seen = await record(`${server.origin}/to-plain`, {}, (s) => messages(s) === 1)
      expect(seen.log).toEqual(['open', 'message plain #7'])
      expect(seen.origins).toEqual([plain.origin])
      expect(plain.connections()).toBe(1)
    } finally {
      await plain.close()
    }
  })

  test('a 200 that is not text/event-stream fails the connection; a 503 is an HTTP error', async () => {
    const html = await record(`${server.origin}/html`, {}, (s) => s.errors.length === 1)
    expect(html.log).toEqual(['error 2'])
    expect(html.errors[0]?.reason).toBe('content-type')
    expect(html.errors[0]?.message).toBe('Expected Content-Type text/event-stream, got "text/html"')
    const busy = await record(`${server.origin}/unavailable`, {}, (s) => s.errors.length === 1)
    expect(busy.log).toEqual(['error 2'])
    expect([busy.errors[0]?.reason, busy.errors[0]?.status]).toEqual(['http', 503])
  })

  test('readTimeout drops a silent stream and reconnects', async () => {
    const seen = await record(
      `${server.origin}/silent`,
      { readTimeout: 300, retry: { initialDelay: 20 } },
      (s) => messages(s) === 1,
    )
    expect(seen.log).toEqual(['open', 'error 0', 'open', 'message awake #1'])
    expect(seen.errors[0]?.reason).toBe('timeout')
  })

  test('the CLI streams from the h2-only server across the reset, resuming with Last-Event-ID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ies-h2-cli-'))
    try {
      // The CLI trusts the test CA as any Node program can be told to.
      await writeFile(join(dir, 'ca.pem'), certificates.ca)
      const env: Record<string, string | undefined> = { ...process.env }
      for (const name of Object.keys(env)) if (/_proxy$/i.test(name)) delete env[name]
      env['NODE_EXTRA_CA_CERTS'] = join(dir, 'ca.pem')
      const child = spawn(
        process.execPath,
        [CLI, '--json', '--max-events', '4', `${server.origin}/drop?cli`],
        {
          env,
        },
      )
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
      })
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
      clearTimeout(killer)
      expect(code).toBe(0)
      const events = stdout
        .trim()
        .split('\n')
        .map((line) => {
          const { id, data } = JSON.parse(line) as { id: string; data: string }
          return `${id} ${data}`
        })
      expect(events).toEqual(['1 1', '2 2', '3 3', '4 4'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a gzip stream is decoded over h2 too', async () => {
    const seen = await record(`${server.origin}/gzip`, {}, (s) => messages(s) === 1)
    expect(seen.log).toEqual(['open', 'message packed #1'])
  })

  test('the certificate is verified: without the CA, a network error names the reason', async () => {
    // A server of its own, so no session to the shared one is reused.
    const other = await h2Server((stream) => {
      stream.respond(SSE)
      stream.end('data: never\n\n')
    })
    https.globalAgent.options.ca = undefined
    try {
      const seen = await record(other.origin, {}, (s) => s.errors.length === 1)
      expect(seen.log).toEqual(['error 0'])
      expect(seen.errors[0]?.reason).toBe('network')
      // Node 24 appends a hint ("; if the root CA is installed locally, try …").
      expect(seen.errors[0]?.message.split(';')[0]).toBe(
        'Network error: unable to verify the first certificate',
      )
    } finally {
      https.globalAgent.options.ca = certificates.ca
      await other.close()
    }
  })

  test('a dispatcher decides: undici with allowH2 and the CA streams; without allowH2 the server refuses its TLS', async () => {
    const h2Agent = new Agent({ allowH2: true, connect: { ca: certificates.ca } })
    const h1Agent = new Agent({ connect: { ca: certificates.ca } })
    try {
      const seen = await record(
        `${server.origin}/drop?dispatcher`,
        { dispatcher: h2Agent },
        (s) => messages(s) === 2,
      )
      expect(seen.log).toEqual(['open', 'message 1 #1', 'message 2 #2'])
      const refused = await record(
        server.origin,
        { dispatcher: h1Agent },
        (s) => s.errors.length === 1,
      )
      expect(refused.log).toEqual(['error 0'])
      expect(refused.errors[0]?.reason).toBe('network')
      expect(refused.errors[0]?.message).toMatch(
        /^Network error: .*tlsv1 alert no application protocol/,
      )
    } finally {
      await Promise.all([h2Agent.close(), h1Agent.close()])
    }
  })
})

describe('protocol choice', () => {
  test('a server that speaks both gets h2 by default and HTTP/1.1 with httpVersion "1.1"', async () => {
    const versions: string[] = []
    const server = http2.createSecureServer({
      cert: certificates.cert,
      key: certificates.key,
      allowHTTP1: true,
    })
    server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      versions.push(req.httpVersion)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${req.httpVersion}\n\n`)
    })
    const both = await listen(server, 'https')
    try {
      const h2 = await record(both.origin, {}, (s) => messages(s) === 1)
      const h1 = await record(both.origin, { httpVersion: '1.1' }, (s) => messages(s) === 1)
      expect([h2.log, h1.log]).toEqual([
        ['open', 'message 2.0 #'],
        ['open', 'message 1.1 #'],
      ])
      expect(versions).toEqual(['2.0', '1.1'])
    } finally {
      await both.close()
    }
  })

  test('httpVersion "2" speaks h2c with prior knowledge to an http: server', async () => {
    const server = await h2Server(
      (stream, headers) => {
        stream.respond(SSE)
        stream.write(`data: ${headers[':scheme']}\n\n`)
      },
      { plain: true },
    )
    try {
      const seen = await record(server.origin, { httpVersion: '2' }, (s) => messages(s) === 1)
      expect(seen.log).toEqual(['open', 'message http #'])
      expect(server.sessions()).toBe(1)
    } finally {
      await server.close()
    }
  })

  test('httpVersion "2" against an HTTP/1.1-only server: a network error that says so', async () => {
    const server = await HttpsEventServer.start(['one'])
    try {
      const seen = await record(server.url, { httpVersion: '2' }, (s) => s.errors.length === 1)
      expect(seen.log).toEqual(['error 0'])
      expect(seen.errors[0]?.message).toBe(
        `Network error: https://${server.authority} refused TLS ALPN h2 (it does not speak HTTP/2)`,
      )
    } finally {
      await server.close()
    }
  })

  test('an HTTP/1.1-only server gets HTTP/1.1 by default, its connection reused for the reconnect', async () => {
    let connections = 0
    const server = https.createServer({ cert: certificates.cert, key: certificates.key })
    server.on('secureConnection', () => connections++)
    server.on('request', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(
        `retry: 20\nid: ${Number(req.headers['last-event-id'] ?? 0) + 1}\ndata: ${req.httpVersion}\n\n`,
      )
    })
    const h1 = await listen(server, 'https')
    try {
      const seen = await record(h1.origin, {}, (s) => messages(s) === 2)
      expect(seen.log).toEqual(['open', 'message 1.1 #1', 'error 0', 'open', 'message 1.1 #2'])
      expect(connections).toBe(1)
    } finally {
      await h1.close()
    }
  })

  test('a bad httpVersion, or "2" with a dispatcher, is a TypeError naming the option', async () => {
    const { EventSource } = await import('isomorphic-eventsource')
    expect(() => new EventSource('https://127.0.0.1:1/', { httpVersion: '3' as '2' })).toThrow(
      new TypeError('EventSource option "httpVersion" must be "auto", "1.1" or "2"; got "3"'),
    )
    expect(
      () => new EventSource('https://127.0.0.1:1/', { httpVersion: '2', dispatcher: new Agent() }),
    ).toThrow(
      new TypeError(
        'EventSource option "httpVersion" must be "auto" or "1.1" when the "dispatcher" option makes the connections; got "2"',
      ),
    )
  })
})

describe('many sources over one session', () => {
  /** Streams open on the server, by path. */
  let streams: Map<string, http2.ServerHttp2Stream>
  let server: Loopback
  const resetCounts = new Map<string, number>()

  beforeAll(async () => {
    streams = new Map()
    server = await h2Server((stream, headers) => {
      const path = String(headers[':path'])
      const from = Number(headers['last-event-id'] ?? 0)
      streams.set(path, stream)
      stream.on('close', () => {
        if (streams.get(path) === stream) streams.delete(path)
      })
      stream.respond(SSE)
      stream.write(`retry: 20\nid: ${from + 1}\ndata: ${from + 1}\n\n`)
      resetCounts.set(path, (resetCounts.get(path) ?? 0) + 1)
    })
  })
  afterAll(() => server.close())

  /** Opens `count` sources at once on paths `/<prefix><i>`; resolves when each has its first event. */
  async function openMany(prefix: string, count: number) {
    const { EventSource } = await import('isomorphic-eventsource')
    const logs = Array.from({ length: count }, () => [] as string[])
    const sources = logs.map((log, i) => {
      const source = new EventSource(`${server.origin}/${prefix}${i}`)
      source.onopen = () => log.push('open')
      source.onmessage = (event) => log.push(`message ${event.data}`)
      source.onerror = () => log.push(`error ${source.readyState}`)
      return source
    })
    expect(await eventually(() => logs.every((log) => log.includes('message 1')))).toBe(true)
    return { sources, logs }
  }

  test('50 sources started at once share one negotiation and one session; one closing leaves the others streaming', async () => {
    const before = [server.connections(), server.sessions()]
    const { sources, logs } = await openMany('many', 50)
    expect([server.connections() - (before[0] ?? 0), server.sessions() - (before[1] ?? 0)]).toEqual(
      [1, 1],
    )
    sources[0]?.close()
    expect(await eventually(() => !streams.has('/many0'))).toBe(true)
    for (let i = 1; i < 50; i++) streams.get(`/many${i}`)?.write('data: more\n\n')
    expect(await eventually(() => logs.slice(1).every((log) => log.length === 3))).toBe(true)
    for (const source of sources) source.close()
    expect(logs[0]).toEqual(['open', 'message 1'])
    expect(logs.slice(1)).toEqual(
      Array.from({ length: 49 }, () => ['open', 'message 1', 'message more']),
    )
  })

  test('the server resets one stream: that source reconnects, the others are untouched, one session', async () => {
    const before = server.sessions()
    const { sources, logs } = await openMany('reset', 3)
    streams.get('/reset1')?.destroy(new Error('reset'))
    expect(await eventually(() => logs[1]?.length === 5)).toBe(true)
    for (const path of ['/reset0', '/reset1', '/reset2'])
      streams.get(path)?.write('data: after\n\n')
    expect(await eventually(() => logs.every((log) => log.at(-1) === 'message after'))).toBe(true)
    for (const source of sources) source.close()
    expect(logs).toEqual([
      ['open', 'message 1', 'message after'],
      ['open', 'message 1', 'error 0', 'open', 'message 2', 'message after'],
      ['open', 'message 1', 'message after'],
    ])
    expect(server.sessions() - before).toBe(0)
  })

  test('GOAWAY: the open streams end, and every source reconnects on a new session with Last-Event-ID', async () => {
    const before = server.sessions()
    const { sources, logs } = await openMany('goaway', 5)
    const [session] = server.openSessions()
    session?.goaway(http2.constants.NGHTTP2_NO_ERROR)
    for (let i = 0; i < 5; i++) streams.get(`/goaway${i}`)?.end()
    expect(await eventually(() => logs.every((log) => log.length === 5))).toBe(true)
    for (const source of sources) source.close()
    // Resumed from id 1: the second stream starts at 2.
    expect(logs).toEqual(
      Array.from({ length: 5 }, () => ['open', 'message 1', 'error 0', 'open', 'message 2']),
    )
    expect(server.sessions() - before).toBe(1)
  })

  test('a session torn down (its connection destroyed) is a network error for each of its sources, which reconnect', async () => {
    const { sources, logs } = await openMany('teardown', 4)
    const errors: string[] = []
    for (const source of sources)
      source.addEventListener('error', (event) => errors.push(event.reason))
    server.dropConnections()
    expect(await eventually(() => logs.every((log) => log.length === 5))).toBe(true)
    for (const source of sources) source.close()
    expect(logs).toEqual(
      Array.from({ length: 4 }, () => ['open', 'message 1', 'error 0', 'open', 'message 2']),
    )
    expect(errors).toEqual(['network', 'network', 'network', 'network'])
  })

  test("the server's stream limit is kept: 5 sources with SETTINGS_MAX_CONCURRENT_STREAMS 2 open over 3 sessions", async () => {
    const limited = await h2Server(
      (stream) => {
        stream.respond(SSE)
        stream.write('data: 1\n\n')
      },
      { settings: { maxConcurrentStreams: 2 } },
    )
    const { EventSource } = await import('isomorphic-eventsource')
    try {
      const logs = Array.from({ length: 5 }, () => [] as string[])
      const sources = logs.map((log) => {
        const source = new EventSource(limited.origin)
        source.onmessage = (event) => log.push(`message ${event.data}`)
        source.onerror = () => log.push(`error ${source.readyState}`)
        return source
      })
      expect(await eventually(() => logs.every((log) => log.length === 1))).toBe(true)
      for (const source of sources) source.close()
      expect(logs).toEqual(Array.from({ length: 5 }, () => ['message 1']))
      expect(limited.sessions()).toBe(3)
    } finally {
      await limited.close()
    }
  })
})

describe('flow control', () => {
  test('a slow consumer of 4 MiB gets every byte, and another source on the session is not starved', async () => {
    const data = 'x'.repeat(64 * 1024 - 8)
    const big = `data: ${data}\n\n`
    const server = await h2Server((stream, headers) => {
      stream.respond(SSE)
      if (headers[':path'] === '/big') {
        // 64 events of 64 KiB, as fast as the windows let them through.
        let sent = 0
        const pump = (): void => {
          while (sent < 64) {
            sent++
            if (!stream.write(big)) {
              stream.once('drain', pump)
              return
            }
          }
        }
        pump()
      } else {
        let n = 0
        const tick = setInterval(() => {
          stream.write(`data: small ${++n}\n\n`)
          if (n === 5) clearInterval(tick)
        }, 20)
        stream.on('close', () => clearInterval(tick))
      }
    })
    try {
      const sizes: number[] = []
      const slow = record(
        `${server.origin}/big`,
        {},
        (s) => {
          // A handler that takes its time over each event.
          const until = performance.now() + 3
          while (performance.now() < until);
          return messages(s) === 64
        },
        15_000,
      )
      const small = record(`${server.origin}/small`, {}, (s) => messages(s) === 5, 15_000)
      const [slowSeen, smallSeen] = await Promise.all([slow, small])
      for (const entry of slowSeen.log) if (entry.startsWith('message')) sizes.push(entry.length)
      expect(sizes).toEqual(Array.from({ length: 64 }, () => `message ${data} #`.length))
      expect(smallSeen.log).toEqual([
        'open',
        'message small 1 #',
        'message small 2 #',
        'message small 3 #',
        'message small 4 #',
        'message small 5 #',
      ])
      expect(server.sessions()).toBe(1)
    } finally {
      await server.close()
    }
  })
})

describe('after close() of the last source, the process exits on its own', () => {
  let server: Loopback
  beforeAll(async () => {
    server = await h2Server((stream, headers) => {
      if (headers[':path'] === '/hold') return // never answers
      stream.respond(SSE)
      stream.write('data: one\n\n')
    })
  })
  afterAll(() => server.close())

  test.each(['h2-open', 'h2-connecting'])('closed in state %s', async (state) => {
    const env: Record<string, string | undefined> = { ...process.env }
    env['EXIT_CHILD_CA'] = certificates.ca
    delete env['NODE_OPTIONS']
    const child = spawn(process.execPath, [EXIT_CHILD, state, server.origin], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let closedAt: number | undefined
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
      if (closedAt === undefined && stdout.includes('closed')) closedAt = performance.now()
    })
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    const exitedAt = performance.now()
    clearTimeout(killer)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe('closed 2')
    // The same limit as test/leaks.test.ts (--liftoff-only there; default flags here, no undici).
    expect(exitedAt - (closedAt ?? Number.POSITIVE_INFINITY)).toBeLessThan(500)
  })
})
