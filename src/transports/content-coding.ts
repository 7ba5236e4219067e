/**
 * HTTP content codings for the Node transports (node:http, node:http2, undici's `request`),
 * which, unlike fetch, decode nothing themselves: what `Accept-Encoding` offers, and a streaming
 * decoder for a response's `Content-Encoding`.
 *
 * Decoding is node:zlib's, run synchronously as each chunk arrives (see `syncStage`): a zlib
 * stream would hand every chunk to libuv's thread pool and back, which on a busy machine doubles
 * the time from the server's write to the `message` event (bench/). Where the engine does not
 * offer that (another runtime running the Node build), the zlib streams do it.
 * @internal
 */
import type { Transform } from 'node:stream'
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
// error that would discard the text decoded last.
const ZLIB_FLUSH = zlib.constants.Z_SYNC_FLUSH
const ZLIB = { flush: ZLIB_FLUSH, finishFlush: ZLIB_FLUSH }
const BROTLI_FLUSH = zlib.constants.BROTLI_OPERATION_FLUSH
const BROTLI = { flush: BROTLI_FLUSH, finishFlush: BROTLI_FLUSH }
const ZSTD_FLUSH = zstd.constants.ZSTD_e_flush ?? 0

/** An engine for a coding, and the flush mode to run it with. */
type Engine = [create: () => Transform, flush: number]

/** The codings this Node decodes, by the names servers use (`x-gzip` is gzip, RFC 9110). */
const ENGINES: Readonly<Record<string, Engine | ((head: Uint8Array) => Engine) | undefined>> = {
  gzip: [() => zlib.createGunzip(ZLIB), ZLIB_FLUSH],
  'x-gzip': [() => zlib.createGunzip(ZLIB), ZLIB_FLUSH],
  // HTTP's `deflate` is the zlib format (RFC 9110), yet some servers send raw deflate, which
  // browsers take too: the first two bytes tell them apart (a zlib header names method 8 and is
  // a multiple of 31).
  deflate: (head) =>
    ((head[0] as number) & 0x0f) === 8 &&
    (((head[0] as number) << 8) | (head[1] as number)) % 31 === 0
      ? [() => zlib.createInflate(ZLIB), ZLIB_FLUSH]
      : [() => zlib.createInflateRaw(ZLIB), ZLIB_FLUSH],
  br: [() => zlib.createBrotliDecompress(BROTLI), BROTLI_FLUSH],
  zstd:
    zstd.createZstdDecompress === undefined
      ? undefined
      : [
          () =>
            zstd.createZstdDecompress?.({
              flush: ZSTD_FLUSH,
              finishFlush: ZSTD_FLUSH,
            }) as Transform,
          ZSTD_FLUSH,
        ],
}

/**
 * The `Accept-Encoding` the Node transports send unless the request has one: every coding
 * {@link createDecoder} decodes here (`gzip, deflate, br`, and `zstd` where this Node has it).
 * @internal
 */
export const ACCEPT_ENCODING = ['gzip', 'deflate', 'br', 'zstd']
  .filter((name) => ENGINES[name] !== undefined)
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

/** One coding's decoder: bytes in, decoded bytes out to `next`, now or (zlib streams) later. */
type Stage = ContentDecoder

/**
 * The decoder for a `Content-Encoding` value, or `undefined` for none (or only `identity`).
 * Stacked codings (`gzip, br`: gzip applied first) are undone in reverse order. Throws a
 * {@link ContentCodingError} naming a coding this Node cannot decode. `sync: false` forces the
 * zlib streams (tests use it to cover them where the synchronous path is available).
 * @internal
 */
export function createDecoder(
  contentEncoding: string | null,
  sink: DecodedSink,
  sync = syncAvailable(),
): ContentDecoder | undefined {
  if (contentEncoding === null) return undefined
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse()
  if (codings.length === 0) return undefined
  for (const coding of codings) {
    if (ENGINES[coding] === undefined) {
      throw new ContentCodingError(
        `Unsupported Content-Encoding ${JSON.stringify(coding)} (this client decodes ${ACCEPT_ENCODING})`,
      )
    }
  }
  let stopped = false
  const stages: Stage[] = []
  const stop = (): void => {
    stopped = true
    for (const stage of stages) stage.destroy()
  }
  // Built from the last coding undone (writing to the sink) back to the first.
  let next: DecodedSink = {
    data: (chunk) => {
      if (!stopped) sink.data(chunk)
    },
    end: () => {
      if (!stopped) sink.end()
    },
    error: (error) => {
      if (stopped) return
      stop()
      sink.error(error)
    },
  }
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i] as string
    const stage = createStage(coding, next, sync)
    stages.unshift(stage)
    next = {
      data: (chunk) => {
        if (!stopped) stage.write(chunk)
      },
      end: () => {
        if (!stopped) stage.end()
      },
      error: next.error,
    }
  }
  const first = stages[0] as Stage
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

/** The stage of one coding; `deflate` picks its engine on the body's first two bytes. */
function createStage(coding: string, next: DecodedSink, sync: boolean): Stage {
  const engine = ENGINES[coding] as Engine | ((head: Uint8Array) => Engine)
  const fail = (error: Error) =>
    next.error(new ContentCodingError(`The ${coding} body could not be decoded: ${error.message}`))
  const make = ([create, flush]: Engine): Stage =>
    sync ? syncStage(create(), flush, next, fail) : streamStage(create(), next, fail)
  if (typeof engine !== 'function') return make(engine)
  let stage: Stage | undefined
  let held = new Uint8Array(0)
  return {
    write(chunk) {
      if (stage === undefined) {
        const head = new Uint8Array(held.length + chunk.length)
        head.set(held)
        head.set(chunk, held.length)
        if (head.length < 2) {
          held = head
          return
        }
        stage = make(engine(head))
        chunk = head
      }
      stage.write(chunk)
    },
    end: () => (stage === undefined ? next.end() : stage.end()),
    destroy: () => stage?.destroy(),
  }
}

/** Output buffers of the synchronous path, filled one after another like zlib's own. */
const OUT_SIZE = 16 * 1024

/** The part of a node:zlib engine its own one-shot `*Sync` functions drive. */
interface EngineInternals {
  _handle?: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOffset: number,
      inLength: number,
      output: Uint8Array,
      outOffset: number,
      outLength: number,
    ): void
  } | null
  _writeState?: Uint32Array
}

/**
 * A zlib engine run synchronously, as node:zlib's own `gunzipSync` and friends run one: each
 * chunk goes to the native handle in the caller's turn, and each filled output buffer is handed
 * on at once (so a compression bomb reaches the parser, and its `maxBufferSize`, 16 KiB at a
 * time, never as one huge buffer). node:zlib keeps that path for its one-shot functions only, so
 * this reaches for the same two internals they use; `syncAvailable()` checks them first.
 */
function syncStage(
  engine: Transform,
  flush: number,
  next: DecodedSink,
  fail: (error: Error) => void,
): Stage {
  const { _handle: handle, _writeState: state } = engine as unknown as Required<EngineInternals>
  // A failure is reported on the engine (`errored`) and then emitted: keep it from going uncaught.
  engine.on('error', () => undefined)
  let out = Buffer.allocUnsafe(OUT_SIZE)
  let offset = 0
  let done = false
  const finish = () => {
    done = true
    engine.destroy()
  }
  return {
    write(chunk) {
      let inOffset = 0
      let inLength = chunk.length
      while (!done && handle !== null) {
        let error: Error | null | undefined
        try {
          handle.writeSync(flush, chunk, inOffset, inLength, out, offset, OUT_SIZE - offset)
          error = engine.errored
        } catch (thrown) {
          error = thrown instanceof Error ? thrown : new Error(String(thrown))
        }
        if (error) {
          finish()
          fail(error)
          return
        }
        const outLeft = state[0] as number
        const inLeft = state[1] as number
        const produced = OUT_SIZE - offset - outLeft
        inOffset += inLength - inLeft
        inLength = inLeft
        if (produced > 0) {
          // A view of bytes never written again: the next output goes after it, or to a new buffer.
          const view = out.subarray(offset, offset + produced)
          offset += produced
          if (offset === OUT_SIZE) {
            out = Buffer.allocUnsafe(OUT_SIZE)
            offset = 0
          }
          next.data(view)
        }
        // Output space left over means the input is used up.
        if (outLeft !== 0) return
      }
    },
    end() {
      if (done) return
      finish()
      next.end()
    },
    destroy: finish,
  }
}

/** A zlib engine as the stream it is, on libuv's thread pool: where `syncStage` cannot run. */
function streamStage(engine: Transform, next: DecodedSink, fail: (error: Error) => void): Stage {
  engine.on('data', (chunk: Uint8Array) => next.data(chunk))
  engine.once('end', () => next.end())
  engine.on('error', (error: Error) => {
    engine.destroy()
    fail(error)
  })
  return {
    write: (chunk) => {
      engine.write(chunk)
    },
    end: () => {
      engine.end()
    },
    destroy: () => {
      engine.destroy()
    },
  }
}

let syncChecked: boolean | undefined

/**
 * Whether this runtime's zlib engines can be driven as `syncStage` does: the internals are
 * there, decode a known body to its text, and report bytes that are not gzip as an error.
 * Checked once, on first use.
 */
function syncAvailable(): boolean {
  syncChecked ??=
    decodesSynchronously(zlib.gzipSync('data: ok\n\n')) === 'data: ok\n\n' &&
    decodesSynchronously(Buffer.from('data: not gzip\n\n')) === undefined
  return syncChecked
}

/** `body` gunzipped by `syncStage`, or undefined when that fails (or cannot run here). */
function decodesSynchronously(body: Uint8Array): string | undefined {
  try {
    const engine = zlib.createGunzip(ZLIB) as unknown as Transform & EngineInternals
    if (
      typeof engine._handle?.writeSync !== 'function' ||
      !(engine._writeState instanceof Uint32Array)
    ) {
      engine.destroy()
      return undefined
    }
    let text: string | undefined = ''
    const stage = syncStage(
      engine,
      ZLIB_FLUSH,
      {
        data: (chunk) => {
          text += Buffer.from(chunk).toString('latin1')
        },
        end: () => undefined,
        error: () => undefined,
      },
      () => {
        text = undefined
      },
    )
    stage.write(body)
    stage.destroy()
    return text
  } catch {
    return undefined
  }
}
