/**
 * Content codings in Node, against real loopback servers: streams compressed by node:zlib in
 * every coding (flushed per event, split at every byte of their compressed form), Express with
 * the `compression` middleware, a server that compresses unasked, an unknown coding, corrupt
 * bodies and a compression bomb; on node:http (the default), undici (a `dispatcher`) and the CLI.
 * HTTP/2 gets the same in test/http2.test.ts.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import compression from 'compression'
import express from 'express'
import type { EventSourceOptions } from 'isomorphic-eventsource'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { delay, type Loopback, listen, messages, record } from './support/loopback.js'

const zstd = typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function'
/** What the Node transports offer, on this Node (zstd from Node 22.15 and 23.8). */
const OFFERED = zstd ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br'

/** Every coding a server may send, with how to make a compressor that can flush per event. */
type Compressor = zlib.Gzip | zlib.BrotliCompress
const FLUSH = zlib.constants.Z_SYNC_FLUSH
const CODINGS: Record<string, Array<() => [Compressor, number]>> = {
  gzip: [() => [zlib.createGzip(), FLUSH]],
  'x-gzip': [() => [zlib.createGzip(), FLUSH]],
  deflate: [() => [zlib.createDeflate(), FLUSH]],
  'deflate (raw, as some servers send it)': [() => [zlib.createDeflateRaw(), FLUSH]],
  br: [() => [zlib.createBrotliCompress(), zlib.constants.BROTLI_OPERATION_FLUSH]],
  // gzip applied first, then br: the header lists them in that order.
  'gzip, br': [
    () => [zlib.createGzip(), FLUSH],
    () => [zlib.createBrotliCompress(), zlib.constants.BROTLI_OPERATION_FLUSH],
  ],
}
if (zstd) {
  const z = zlib as unknown as {
    createZstdCompress(): Compressor
    constants: { ZSTD_e_flush: number }
  }
  CODINGS['zstd'] = [() => [z.createZstdCompress(), z.constants.ZSTD_e_flush]]
}
/** The header value for a coding's name above. */
const headerOf = (name: string): string => name.replace(/ \(.*\)$/, '')

/** Three events with ids, a `retry:` and multi-byte UTF-8 (a split can fall inside it). */
const EVENTS = [
  'retry: 20\nid: 1\ndata: é€😀 one\n\n',
  'id: 2\ndata: two\n\n',
  'id: 3\ndata: three\n\n',
]
const LOGGED = ['open', 'message é€😀 one #1', 'message two #2', 'message three #3']

/**
 * The compressed form of `texts`, one piece per text: each text is flushed through every stage,
 * so a piece holds all the bytes a decoder needs for its text.
 */
async function compress(coding: string, texts: readonly string[]): Promise<Buffer[]> {
  let pieces: Buffer[] = texts.map((text) => Buffer.from(text))
  for (const make of CODINGS[coding] ?? []) {
    const [stream, flushKind] = make()
    const out: Buffer[] = []
    let pending: Buffer[] = []
    stream.on('data', (chunk: Buffer) => pending.push(chunk))
    for (const piece of pieces) {
      stream.write(piece)
      await new Promise<void>((resolve) => stream.flush(flushKind, () => resolve()))
      out.push(Buffer.concat(pending))
      pending = []
    }
    // The coding's end (a trailer, a checksum) goes with the last piece.
    stream.end()
    await new Promise((resolve) => stream.once('end', resolve))
    out.push(Buffer.concat([out.pop() ?? Buffer.alloc(0), ...pending]))
    pieces = out
  }
  return pieces
}

/** Writes `pieces` as an event stream with `Content-Encoding: coding`, then ends it. */
function writeCompressed(res: http.ServerResponse, coding: string, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': coding })
  res.end(body)
}

const transports: Array<[string, () => EventSourceOptions]> = [
  ['node:http', () => ({})],
  ['undici (a dispatcher)', () => ({ dispatcher: agent })],
]
let agent: Agent

/** Requests the server saw: path and the headers that matter here. */
const seenRequests: Array<{
  path: string
  acceptEncoding: string | undefined
  lastEventId: string | undefined
}> = []
/** Compressed bodies by coding, made once. */
const bodies = new Map<string, Buffer[]>()
/** Release points of the gated route: the test lets the server write the next piece. */
const gates = new Map<string, () => void>()
/** Queries of the corrupt route already answered with a corrupt body. */
const corruptSeen = new Set<string>()

let plain: Loopback
beforeAll(async () => {
  agent = new Agent()
  for (const coding of Object.keys(CODINGS)) bodies.set(coding, await compress(coding, EVENTS))
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const lastEventId = req.headers['last-event-id'] as string | undefined
    seenRequests.push({
      path: url.pathname + url.search,
      acceptEncoding: req.headers['accept-encoding'],
      lastEventId,
    })
    const coding = url.searchParams.get('coding') ?? 'gzip'
    const pieces = bodies.get(coding) ?? []
    req.socket.setNoDelay(true)
    if (url.pathname === '/whole') {
      writeCompressed(res, headerOf(coding), Buffer.concat(pieces))
    } else if (url.pathname === '/split') {
      // The whole body in two writes, cut at byte `at` of the compressed form.
      const whole = Buffer.concat(pieces)
      const at = Number(url.searchParams.get('at'))
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'content-encoding': headerOf(coding),
      })
      res.write(whole.subarray(0, at))
      setTimeout(() => res.end(whole.subarray(at)), 15)
    } else if (url.pathname === '/gated') {
      // One event's piece at a time; the next only once the client has dispatched the last one,
      // so nothing but a per-chunk flush in the decoder can deliver them.
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'content-encoding': headerOf(coding),
      })
      const key = url.searchParams.get('key') ?? ''
      let next = 0
      const write = () => {
        const piece = pieces[next++]
        if (piece === undefined) {
          gates.delete(key)
          return
        }
        res.write(piece)
      }
      gates.set(key, write)
      write()
    } else if (url.pathname === '/unasked') {
      // Compressed whatever the request said.
      writeCompressed(res, 'gzip', zlib.gzipSync(EVENTS.join('')))
    } else if (url.pathname === '/unknown') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'foo' })
      res.end('data: never parsed\n\n')
    } else if (url.pathname === '/corrupt') {
      // First attempt: gzip that is not (from the start, or after one good event); then a good
      // stream, resumed from the last id.
      const first = !corruptSeen.has(url.search)
      corruptSeen.add(url.search)
      if (!first) {
        writeCompressed(res, 'gzip', zlib.gzipSync('id: 9\ndata: after\n\n'))
      } else if (!url.searchParams.has('mid')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })
        res.end('retry: 20\ndata: not gzip\n\n')
      } else {
        const [good] = bodies.get('gzip') ?? []
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })
        res.write(good)
        setTimeout(() => res.end(Buffer.from('garbage that no inflater takes')), 20)
      }
    } else if (url.pathname === '/bomb') {
      // 8 MiB of one endless line, in about 8 KiB of gzip.
      writeCompressed(res, 'gzip', BOMB)
    } else res.writeHead(404).end()
  })
  plain = await listen(server, 'http')
}, 30_000)
afterAll(async () => {
  await plain.close()
  await agent.close()
})

const BOMB = zlib.gzipSync(`data: ${'a'.repeat(8 * 1024 * 1024)}`)

describe.each(transports)('on %s', (_name, options) => {
  test.each(Object.keys(CODINGS))(
    'a %s stream delivers every event, its id and retry, and offers what it decodes',
    async (coding) => {
      const path = `/whole?coding=${encodeURIComponent(coding)}&t=${encodeURIComponent(_name)}`
      const seen = await record(`${plain.origin}${path}`, options(), (s) => messages(s) === 3)
      expect(seen.log).toEqual(LOGGED)
      expect(seenRequests.find((r) => r.path === path)?.acceptEncoding).toBe(OFFERED)
    },
  )

  test.each(Object.keys(CODINGS))(
    'a %s stream flushed per event: each event is dispatched before the next is sent',
    async (coding) => {
      const key = `${_name} ${coding}`
      const url = `${plain.origin}/gated?coding=${encodeURIComponent(coding)}&key=${encodeURIComponent(key)}`
      const seen = await record(url, options(), (s) => {
        // Each message lets the server write the next event's bytes.
        if (s.log.at(-1)?.startsWith('message')) gates.get(key)?.()
        return messages(s) === 3
      })
      expect(seen.log).toEqual(LOGGED)
    },
  )

  test("a server that compresses although not asked: decoded, and the user's Accept-Encoding is sent as given", async () => {
    const path = `/unasked?t=${encodeURIComponent(_name)}`
    const seen = await record(
      `${plain.origin}${path}`,
      { ...options(), headers: { 'Accept-Encoding': 'identity' } },
      (s) => messages(s) === 3,
    )
    expect(seen.log).toEqual(LOGGED)
    expect(seenRequests.find((r) => r.path === path)?.acceptEncoding).toBe('identity')
  })

  test('an unknown coding fails the attempt with a network error naming it, before open, and never reaches the parser', async () => {
    const seen = await record(
      `${plain.origin}/unknown?t=${encodeURIComponent(_name)}`,
      options(),
      (s) => s.errors.length === 1,
    )
    expect(seen.log).toEqual(['error 0'])
    expect(seen.errors[0]?.reason).toBe('network')
    expect(seen.errors[0]?.message).toBe(
      `Network error: Unsupported Content-Encoding "foo" (this client decodes ${OFFERED})`,
    )
  })

  test('a body that is not the gzip it says is a network error, retried: the next stream resumes', async () => {
    const seen = await record(
      `${plain.origin}/corrupt?t=${encodeURIComponent(_name)}`,
      options(),
      (s) => messages(s) === 1,
    )
    expect(seen.log).toEqual(['open', 'error 0', 'open', 'message after #9'])
    expect(seen.errors[0]?.reason).toBe('network')
    expect(seen.errors[0]?.message).toBe(
      'Network error: The gzip body could not be decoded: incorrect header check',
    )
  })

  test('corruption mid-stream: the events before it, then a network error and a resumed stream', async () => {
    const path = `/corrupt?mid=1&t=${encodeURIComponent(_name)}`
    const seen = await record(`${plain.origin}${path}`, options(), (s) => messages(s) === 2)
    expect(seen.log).toEqual(['open', 'message é€😀 one #1', 'error 0', 'open', 'message after #9'])
    expect(seen.errors[0]?.reason).toBe('network')
    expect(seenRequests.filter((r) => r.path === path).map((r) => r.lastEventId)).toEqual([
      undefined,
      '1',
    ])
  })

  test('maxBufferSize counts decoded text: a small compressed bomb fails with overflow', async () => {
    const seen = await record(
      `${plain.origin}/bomb?t=${encodeURIComponent(_name)}`,
      { ...options(), maxBufferSize: 256 * 1024 },
      (s) => s.errors.length === 1,
    )
    expect(BOMB.length).toBeLessThan(16 * 1024)
    expect(seen.log).toEqual(['open', 'error 2'])
    expect(seen.errors[0]?.reason).toBe('overflow')
  })
})

describe('split at every byte of the compressed form (node:http)', () => {
  test.each(Object.keys(CODINGS))(
    '%s',
    async (coding) => {
      const length = Buffer.concat(bodies.get(coding) ?? []).length
      const runs = Array.from({ length: length - 1 }, (_, i) =>
        record(
          `${plain.origin}/split?coding=${encodeURIComponent(coding)}&at=${i + 1}`,
          {},
          (s) => messages(s) === 3,
          15_000,
        ).then((seen) => seen.log),
      )
      const logs = await Promise.all(runs)
      expect(logs).toEqual(Array.from({ length: length - 1 }, () => LOGGED))
    },
    30_000,
  )
})

describe('Express + compression', () => {
  let app: Loopback
  const lastIds: Array<string | undefined> = []
  const codings: Array<string | undefined> = []
  beforeAll(async () => {
    const routes = express()
    routes.use(compression())
    // Events 1, 2, …: with flush() after each; then the server drops the connection after
    // event 2, and resumes after Last-Event-ID.
    routes.get('/flushed', (req, res) => {
      const last = Number(req.get('last-event-id') ?? 0)
      lastIds.push(req.get('last-event-id'))
      res.set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.flushHeaders()
      res.on('finish', () => undefined)
      codings.push(String(res.getHeader('content-encoding')))
      let id = last
      const tick = () => {
        id++
        res.write(`retry: 20\nid: ${id}\ndata: event ${id}\n\n`)
        res.flush()
        if (id === 2) setTimeout(() => req.socket.destroy(), 20)
        else if (id < 4) setTimeout(tick, 10)
      }
      tick()
    })
    // Without flush(): zlib holds the events until the response ends.
    routes.get('/buffered', (_req, res) => {
      res.set({ 'content-type': 'text/event-stream' })
      res.flushHeaders()
      codings.push(String(res.getHeader('content-encoding')))
      res.write('id: 1\ndata: one\n\n')
      res.write('id: 2\ndata: two\n\n')
      setTimeout(() => res.end('id: 3\ndata: three\n\n'), 30)
    })
    app = await listen(http.createServer(routes), 'http')
  })
  afterAll(() => app.close())

  test('with flush(): every event as it is sent, br chosen from our Accept-Encoding, and across a server drop with Last-Event-ID', async () => {
    const seen = await record(`${app.origin}/flushed`, {}, (s) => messages(s) === 4)
    expect(seen.log).toEqual([
      'open',
      'message event 1 #1',
      'message event 2 #2',
      'error 0',
      'open',
      'message event 3 #3',
      'message event 4 #4',
    ])
    expect(seen.errors[0]?.reason).toBe('network')
    expect(lastIds).toEqual([undefined, '2'])
    expect(codings.slice(0, 2)).toEqual(['br', 'br'])
  })

  test('without flush(): the events arrive when the response ends, all of them, in order', async () => {
    const seen = await record(
      `${app.origin}/buffered`,
      { retry: false },
      (s) => s.errors.length === 1,
    )
    expect(seen.log).toEqual([
      'open',
      'message one #1',
      'message two #2',
      'message three #3',
      'error 2',
    ])
    expect(codings.at(-1)).toBe('br')
  })

  test('gzip when the user asks for gzip only', async () => {
    const seen = await record(
      `${app.origin}/buffered`,
      { retry: false, headers: { 'Accept-Encoding': 'gzip' } },
      (s) => s.errors.length === 1,
    )
    expect(seen.log).toEqual([
      'open',
      'message one #1',
      'message two #2',
      'message three #3',
      'error 2',
    ])
    expect(codings.at(-1)).toBe('gzip')
  })
})

test('the CLI decodes a compressed stream', async () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
  const env = { ...process.env }
  for (const name of Object.keys(env)) if (/_proxy$/i.test(name)) delete env[name]
  const child = spawn(
    process.execPath,
    [cli, '--json', '--max-events', '3', `${plain.origin}/whole?coding=br&t=cli`],
    {
      env,
    },
  )
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const code = await new Promise((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  expect(code).toBe(0)
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => {
      const { id, data } = JSON.parse(line) as { id: string; data: string }
      return `${id} ${data}`
    })
  expect(events).toEqual(['1 é€😀 one', '2 two', '3 three'])
  await delay(0)
})
