/**
 * HTTP content codings for the Node transports (node:http, node:http2, undici's `request`),
 * which, unlike fetch, decode nothing themselves: what `Accept-Encoding` offers, and a streaming
 * decoder for a response's `Content-Encoding`.
 * @internal
 */
import { Transform } from 'node:stream'
import * as zlib from 'node:zlib'

interface ZstdZlib {
  createZstdDecompress?: (options: { flush: number; finishFlush: number }) => Transform
  constants: { ZSTD_e_flush?: number }
}
/** zstd arrived in Node 22.15 and 23.8: used only where this Node's zlib has it. */
const zstd = zlib as unknown as ZstdZlib

// Flushed per chunk: every byte that arrived is decoded at once, so an event is never held back
// until the bytes of the next one come. The same at the end: a stream cut without its trailer
// ends after the last whole event it carried (as a stream cut anywhere else does), instead of an
// error that would discard the text zlib decoded last.
const ZLIB = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }
const BROTLI = {
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
}

/** The codings this Node decodes, by the names servers use (`x-gzip` is gzip, RFC 9110). */
const DECODERS: Readonly<Record<string, (() => Transform) | undefined>> = {
  gzip: () => zlib.createGunzip(ZLIB),
  'x-gzip': () => zlib.createGunzip(ZLIB),
  deflate: inflateEither,
  br: () => zlib.createBrotliDecompress(BROTLI),
  zstd:
    zstd.createZstdDecompress === undefined
      ? undefined
      : () => {
          const flush = zstd.constants.ZSTD_e_flush as number
          return zstd.createZstdDecompress?.({ flush, finishFlush: flush }) as Transform
        },
}

/**
 * The `Accept-Encoding` the Node transports send unless the request has one: every coding
 * {@link createDecoder} decodes here (`gzip, deflate, br`, and `zstd` where this Node has it).
 * @internal
 */
export const ACCEPT_ENCODING = ['gzip', 'deflate', 'br', 'zstd']
  .filter((name) => DECODERS[name] !== undefined)
  .join(', ')

/**
 * A body whose content coding cannot be undone: a coding this Node does not know, or bytes that
 * are not what the coding says. The source treats it as a network error.
 * @internal
 */
export class ContentCodingError extends Error {
  readonly code = 'ERR_CONTENT_DECODING'
}

/** Where a decoder's output goes; after `error`, nothing more. @internal */
export interface DecodedSink {
  data(chunk: Uint8Array): void
  end(): void
  error(error: ContentCodingError): void
}

/** Raw body bytes in; decoded bytes out to the {@link DecodedSink}. @internal */
export interface ContentDecoder {
  write(chunk: Uint8Array): void
  end(): void
  /** Stops decoding and frees zlib's memory; nothing reaches the sink after it. */
  destroy(): void
}

/**
 * The decoder for a `Content-Encoding` value, or `undefined` for none (or only `identity`).
 * Stacked codings (`gzip, br`: gzip applied first) are undone in reverse order. Throws a
 * {@link ContentCodingError} naming a coding this Node cannot decode.
 * @internal
 */
export function createDecoder(
  contentEncoding: string | null,
  sink: DecodedSink,
): ContentDecoder | undefined {
  if (contentEncoding === null) return undefined
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse()
  if (codings.length === 0) return undefined
  const stages = codings.map((coding) => {
    const make = DECODERS[coding]
    if (make === undefined) {
      throw new ContentCodingError(
        `Unsupported Content-Encoding ${JSON.stringify(coding)} (this client decodes ${ACCEPT_ENCODING})`,
      )
    }
    return make()
  })
  let stopped = false
  const stop = (): void => {
    stopped = true
    for (const stage of stages) stage.destroy()
  }
  stages.forEach((stage, i) => {
    const next = stages[i + 1]
    if (next !== undefined) stage.pipe(next)
    // The first failure of any stage, named by its coding; the others are torn down with it.
    stage.on('error', (error: Error) => {
      if (stopped) return
      stop()
      sink.error(
        new ContentCodingError(`The ${codings[i]} body could not be decoded: ${error.message}`),
      )
    })
  })
  const first = stages[0] as Transform
  const last = stages[stages.length - 1] as Transform
  last.on('data', (chunk: Uint8Array) => {
    if (!stopped) sink.data(chunk)
  })
  last.once('end', () => {
    if (!stopped) sink.end()
  })
  return {
    write: (chunk) => {
      if (!stopped) first.write(chunk)
    },
    end: () => {
      if (!stopped) first.end()
    },
    destroy: stop,
  }
}

/**
 * HTTP's `deflate` is the zlib format (RFC 9110), yet some servers send raw deflate, which
 * browsers take too: the first two bytes tell them apart (a zlib header names method 8 and is a
 * multiple of 31). A first chunk of one byte waits for the second.
 */
function inflateEither(): Transform {
  let inner: Transform | undefined
  let held: Buffer | undefined
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (inner === undefined) {
        const start = held === undefined ? chunk : Buffer.concat([held, chunk])
        if (start.length < 2) {
          held = start
          return done()
        }
        held = undefined
        chunk = start
        const header = start.readUInt16BE(0)
        const wrapped = ((start[0] as number) & 0x0f) === 8 && header % 31 === 0
        inner = wrapped ? zlib.createInflate(ZLIB) : zlib.createInflateRaw(ZLIB)
        inner.on('data', (out: Buffer) => this.push(out))
        inner.on('error', (error: Error) => this.destroy(error))
      }
      // zlib pushes a chunk's output before it calls back for it: order is kept.
      inner.write(chunk, () => done())
    },
    flush(done) {
      if (inner === undefined) return done()
      inner.once('end', () => done())
      inner.end()
    },
    destroy(error, done) {
      inner?.destroy()
      done(error)
    },
  })
}
