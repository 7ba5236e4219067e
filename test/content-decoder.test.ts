/**
 * The content decoder on its own (src/transports/content-coding.ts), on both of its paths: the
 * synchronous one the Node transports use, and the zlib streams a runtime without it gets (forced
 * here with `sync: false`). Bodies from node:zlib, split at every byte; corrupt input; a bomb
 * handed on in bounded pieces. test/content-coding.test.ts covers the same through real servers.
 */
import zlib from 'node:zlib'
import { describe, expect, test } from 'vitest'
import {
  ACCEPT_ENCODING,
  type ContentDecoder,
  createDecoder,
} from '../src/transports/content-coding.js'

const TEXT = 'id: 1\ndata: é€😀 one\n\nid: 2\ndata: two\n\n'

const zstd = (zlib as { zstdCompressSync?: (input: string) => Buffer }).zstdCompressSync
const BODIES: Record<string, Buffer> = {
  gzip: zlib.gzipSync(TEXT),
  'x-gzip': zlib.gzipSync(TEXT),
  deflate: zlib.deflateSync(TEXT),
  'deflate (raw)': zlib.deflateRawSync(TEXT),
  br: zlib.brotliCompressSync(TEXT),
  'gzip, br': zlib.brotliCompressSync(zlib.gzipSync(TEXT)),
  'gzip (two members)': Buffer.concat([
    zlib.gzipSync(TEXT.slice(0, 10)),
    zlib.gzipSync(TEXT.slice(10)),
  ]),
  ...(zstd === undefined ? {} : { zstd: zstd(TEXT) }),
}
const headerOf = (name: string): string => name.replace(/ \(.*\)$/, '')

interface Outcome {
  text: string
  pieces: number[]
  ended: boolean
  error: string | undefined
}

/** A decoder for `coding` and what it reports. */
function decoder(coding: string, sync: boolean): { decoder: ContentDecoder; outcome: Outcome } {
  const outcome: Outcome = { text: '', pieces: [], ended: false, error: undefined }
  const bytes: Buffer[] = []
  const decoded = createDecoder(
    coding,
    {
      data: (chunk) => {
        outcome.pieces.push(chunk.length)
        bytes.push(Buffer.from(chunk))
        outcome.text = Buffer.concat(bytes).toString('utf8')
      },
      end: () => {
        outcome.ended = true
      },
      error: (error) => {
        outcome.error = error.message
      },
    },
    sync,
  )
  if (decoded === undefined) throw new Error(`no decoder for ${coding}`)
  return { decoder: decoded, outcome }
}

/**
 * Resolves once every outcome has ended or failed (the zlib streams take turns of the thread
 * pool; the synchronous path needs none), or after 5 s.
 */
async function settled(outcomes: readonly Outcome[]): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 10) {
    if (outcomes.every((outcome) => outcome.ended || outcome.error !== undefined)) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

for (const sync of [true, false]) {
  describe(sync ? 'synchronous' : 'zlib streams', () => {
    test.each(Object.keys(BODIES))('%s, split at every byte, decodes to the text', async (name) => {
      const body = BODIES[name] as Buffer
      const results: Outcome[] = []
      for (let at = 1; at < body.length; at++) {
        const { decoder: decoded, outcome } = decoder(headerOf(name), sync)
        decoded.write(body.subarray(0, at))
        decoded.write(body.subarray(at))
        decoded.end()
        results.push(outcome)
      }
      await settled(results)
      expect(results.map(({ text, ended, error }) => ({ text, ended, error }))).toEqual(
        Array.from({ length: body.length - 1 }, () => ({
          text: TEXT,
          ended: true,
          error: undefined,
        })),
      )
    })

    test('bytes that are not gzip fail once, with a message naming the coding', async () => {
      const { decoder: decoded, outcome } = decoder('gzip', sync)
      decoded.write(Buffer.from('data: not gzip\n\n'))
      decoded.write(Buffer.from('more'))
      decoded.end()
      await settled([outcome])
      expect(outcome).toEqual({
        text: '',
        pieces: [],
        ended: false,
        error: 'The gzip body could not be decoded: incorrect header check',
      })
    })

    test('a body cut before its trailer ends after the text it carried', async () => {
      const body = BODIES['gzip'] as Buffer
      const { decoder: decoded, outcome } = decoder('gzip', sync)
      decoded.write(body.subarray(0, body.length - 8))
      decoded.end()
      await settled([outcome])
      expect([outcome.text, outcome.ended, outcome.error]).toEqual([TEXT, true, undefined])
    })
  })
}

test('a bomb is handed on 16 KiB at a time, and nothing more comes after destroy()', () => {
  const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 'a'))
  let pieces = 0
  let largest = 0
  let decoded: ContentDecoder | undefined
  decoded = createDecoder(
    'gzip',
    {
      data: (chunk) => {
        pieces++
        largest = Math.max(largest, chunk.length)
        // As the parser's maxBufferSize would: stop after 1 MiB.
        if (pieces === 64) decoded?.destroy()
      },
      end: () => undefined,
      error: () => undefined,
    },
    true,
  )
  decoded?.write(bomb)
  expect(bomb.length).toBeLessThan(16 * 1024)
  expect([pieces, largest]).toEqual([64, 16 * 1024])
})

test('Accept-Encoding names what this Node decodes', () => {
  expect(ACCEPT_ENCODING).toBe(zstd === undefined ? 'gzip, deflate, br' : 'gzip, deflate, br, zstd')
})

test('an unknown coding is refused by name', () => {
  expect(() => createDecoder('gzip, compress', { data() {}, end() {}, error() {} })).toThrow(
    `Unsupported Content-Encoding "compress" (this client decodes ${ACCEPT_ENCODING})`,
  )
})
