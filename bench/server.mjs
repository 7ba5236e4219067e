/**
 * The benchmark's SSE server, run as its own child process (`fork`) so that its event loop and
 * CPU time never mix with those of the client being measured.
 *
 * Routes (all GET unless said otherwise):
 * - `/stream?size=16[&count=N]`: events of `size` payload bytes, written as fast as the socket
 *   takes them (writes respect backpressure). Without `count` it streams until the client leaves
 *   (or `maxMs`, a safety cap); with `count` it sends that many and then keeps the response open,
 *   so that no client starts reconnecting while it is being measured.
 * - `/paced?rate=1000&durationMs=3000&clock=ns|ms`: `rate` events per second, each carrying the
 *   time it was written: nanoseconds of `process.hrtime` (`ns`, for Node clients), or wall-clock
 *   milliseconds `performance.timeOrigin + performance.now()` (`ms`, for pages). Then stays open.
 * - `/idle`: the headers, then nothing, ever: the cost of an open, quiet connection.
 * - `&gzip=1` on `/stream` and `/paced`: the same events with `Content-Encoding: gzip`, each
 *   write a gzip member of its own (see `bodyOf`).
 * - `/clock`: `{ wallMs }`, for the page to check that its wall clock agrees with the server's.
 * - `/browser/*`, `/dist/index.js`: the benchmark page and our ESM build, cross-origin isolated.
 * - `POST /results`: the page's results, forwarded to the parent over IPC.
 *
 * Binds 127.0.0.1 only, on a port the kernel picks; reports `{ type: 'listening', port }` to the
 * parent. Exits when the parent disconnects, so an orphaned server never outlives a crashed run.
 *
 * With `--tls` it is a node:http2 secure server that also speaks HTTP/1.1 (ALPN), on a throwaway
 * self-signed certificate for 127.0.0.1 made with the openssl CLI; `listening` then carries the
 * certificate as `ca`, for the client to trust.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { encodeEvent, nowNs } from './lib/protocol.mjs'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Absolute cap on any stream, whatever the query says: no run can make the server spin forever. */
const HARD_CAP_MS = 120_000

const sseHeaders = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-store',
  // Same-origin pages under `Cross-Origin-Embedder-Policy: require-corp` may use it.
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** Headers that make the page cross-origin isolated: 5 µs `performance.now()` instead of 100 µs. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
}

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
}

/**
 * Wall-clock milliseconds with sub-millisecond resolution, for pages: a page cannot read the
 * monotonic clock, but Node and Chromium both derive `performance.timeOrigin` from the same
 * system clock, so `timeOrigin + now()` agrees between the two processes (checked by the page
 * against `/clock`, and reported).
 */
function wallMs() {
  return performance.timeOrigin + performance.now()
}

/** Prebuilt chunks per payload size: the server must cost next to nothing per event. */
const chunkCache = new Map()

/**
 * A buffer of whole events of about 64 KiB (at least one event), so a fast stream is a loop of a
 * few large writes rather than one syscall per 24-byte event.
 */
function chunkFor(size) {
  let entry = chunkCache.get(size)
  if (entry === undefined) {
    const one = encodeEvent(size)
    const perChunk = Math.max(1, Math.floor(65_536 / one.length))
    entry = { one, perChunk, chunk: Buffer.concat(Array(perChunk).fill(one)) }
    chunkCache.set(size, entry)
  }
  return entry
}

function numberParam(url, name, fallback) {
  const value = url.searchParams.get(name)
  if (value === null) return fallback
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed < 0) throw new RangeError(`bad ${name}: ${value}`)
  return parsed
}

/** Resolves when the socket can take more, or when the client is gone. */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * Where a stream's bytes go: the response, or with `gzip=1` the response with each write
 * compressed on its own, as one gzip member (a gzip stream may hold several, RFC 1952), so every
 * write reaches the client whole, as an uncompressed one would. `compress` makes the member.
 */
function bodyOf(res, url, headers, compress) {
  if (!url.searchParams.has('gzip')) {
    res.writeHead(200, headers)
    return res
  }
  res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' })
  return {
    get destroyed() {
      return res.destroyed
    },
    write: (chunk) => res.write(compress(chunk)),
    end: () => res.end(),
    on: (event, listener) => res.on(event, listener),
    off: (event, listener) => res.off(event, listener),
  }
}

/** The fast stream's: zlib level 1, so the server's compressing never limits the client. */
const gzipFast = (chunk) => zlib.gzipSync(chunk, { level: 1 })

/**
 * The paced stream's: a gzip member whose deflate data is one stored block, built without zlib
 * (a header, the block, CRC-32 and length): about a microsecond, where `gzipSync` takes ~10 µs,
 * all of it between the event's timestamp and its write. The client still runs its whole gzip
 * decoder on it, so the latency measured is the client's decoding, not the server's encoding.
 */
function gzipStored(text) {
  const data = Buffer.from(text, 'latin1')
  const member = Buffer.alloc(10 + 5 + data.length + 8)
  member.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
  member[10] = 1 // the final block, stored
  member.writeUInt16LE(data.length, 11)
  member.writeUInt16LE(~data.length & 0xffff, 13)
  data.copy(member, 15)
  member.writeUInt32LE(zlib.crc32(data), 15 + data.length)
  member.writeUInt32LE(data.length, 19 + data.length)
  return member
}

async function fastStream(res, url) {
  const size = numberParam(url, 'size', 16)
  const count = numberParam(url, 'count', Number.POSITIVE_INFINITY)
  const maxMs = Math.min(numberParam(url, 'maxMs', 60_000), HARD_CAP_MS)
  const { one, perChunk, chunk } = chunkFor(size)
  const body = bodyOf(res, url, sseHeaders, gzipFast)
  const deadline = Date.now() + maxMs
  let sent = 0
  while (sent < count && !body.destroyed) {
    if (Date.now() > deadline) {
      body.end()
      return
    }
    const left = count - sent
    let ok
    if (left >= perChunk) {
      ok = body.write(chunk)
      sent += perChunk
    } else {
      ok = body.write(chunk.subarray(0, left * one.length))
      sent = count
    }
    if (!ok) await drained(body)
  }
  // With `count`, stay open (but quiet) until the client leaves or the cap is reached.
  if (!body.destroyed) setTimeout(() => body.end(), Math.max(0, deadline - Date.now())).unref()
}

function pacedStream(res, url) {
  const rate = numberParam(url, 'rate', 1000)
  const durationMs = Math.min(numberParam(url, 'durationMs', 3000), HARD_CAP_MS)
  const inMs = url.searchParams.get('clock') === 'ms'
  const total = Math.floor((rate * durationMs) / 1000)
  const periodNs = 1e9 / rate
  const body = bodyOf(res, url, sseHeaders, gzipStored)
  res.flushHeaders()
  const start = nowNs()
  let sent = 0
  let timer
  const tick = () => {
    if (res.destroyed) return
    const elapsed = Number(nowNs() - start)
    const due = Math.min(total, Math.floor(elapsed / periodNs) + 1)
    // A late timer sends what is due at once; each event is stamped at its own write, so
    // lateness on the server side never counts as client latency.
    while (sent < due) {
      body.write(`data: ${inMs ? wallMs().toFixed(3) : nowNs().toString()}\n\n`)
      sent++
    }
    if (sent >= total) {
      timer = setTimeout(() => body.end(), HARD_CAP_MS).unref()
      return
    }
    const nextNs = sent * periodNs - Number(nowNs() - start)
    timer = setTimeout(tick, Math.max(0, Math.floor(nextNs / 1e6)))
  }
  res.on('close', () => clearTimeout(timer))
  tick()
}

function idle(res) {
  res.writeHead(200, sseHeaders)
  // Headers only, now: every client reports "open" from them and then waits forever.
  res.flushHeaders()
}

async function serveFile(res, path, type) {
  const body = await readFile(path)
  res.writeHead(200, { 'Content-Type': type, ...isolationHeaders }).end(body)
}

async function readBody(req) {
  const parts = []
  let length = 0
  for await (const part of req) {
    length += part.length
    if (length > 4_000_000) throw new RangeError('result body too large')
    parts.push(part)
  }
  return Buffer.concat(parts).toString('utf8')
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const path = url.pathname
  if (req.method === 'POST' && path === '/results') {
    const body = await readBody(req)
    process.send?.({ type: 'results', body })
    res.writeHead(204, isolationHeaders).end()
    return
  }
  if (path === '/stream') return fastStream(res, url)
  if (path === '/paced') return pacedStream(res, url)
  if (path === '/idle') return idle(res)
  if (path === '/clock') {
    const clocks = { wallMs: wallMs() }
    res
      .writeHead(200, { 'Content-Type': 'application/json', ...isolationHeaders })
      .end(JSON.stringify(clocks))
    return
  }
  if (path === '/dist/index.js') return serveFile(res, distIndex, contentTypes['.js'])
  // Only the two page files, by exact name: no path from the request reaches the file system.
  if (path === '/browser/page.html' || path === '/browser/page.mjs') {
    return serveFile(res, `${benchDir}${path.slice(1)}`, contentTypes[extname(path)])
  }
  res.writeHead(404).end()
}

function onRequest(req, res) {
  handle(req, res).catch((error) => {
    if (!res.headersSent) res.writeHead(500).end(String(error))
    else res.destroy()
  })
}

/** A self-signed certificate for 127.0.0.1 (it is its own CA), made in a directory removed at once. */
function selfSigned() {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore', timeout: 20_000 },
    )
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const tls = process.argv.includes('--tls') ? selfSigned() : undefined
// Ten thousand streams on one session: node:http2's 10 MB default session memory is too little.
const server =
  tls === undefined
    ? http.createServer(onRequest)
    : http2.createSecureServer({ ...tls, allowHTTP1: true, maxSessionMemory: 1024 }, onRequest)
server.on('connection', (socket) => socket.setNoDelay(true))
// Thousands of idle connections arrive in bursts; a long backlog avoids SYN retries (1 s each).
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.send?.({ type: 'listening', port: server.address().port, ca: tls?.cert })
})

// The parent is the only reason to live: exit with it, whatever state the sockets are in.
process.on('disconnect', () => process.exit(0))
