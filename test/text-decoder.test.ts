/**
 * The Node build's UTF-8 decoder (src/platform/node-utf8-decoder.ts: Buffer decoding, holding back a
 * character split across chunks) and the legacy bundle's decoder in script
 * (src/platform/legacy-utf8-decoder.ts, for browsers without TextDecoder) must give exactly what
 * the platform's streaming TextDecoder gives, for any bytes cut anywhere: invalid sequences,
 * truncated ones, BOMs, astral characters.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createScriptUtf8Decoder } from '../src/platform/legacy-utf8-decoder.js'
import { createUtf8Decoder } from '../src/platform/node-utf8-decoder.js'
import { createUtf8Decoder as createBrowserDecoder } from '../src/platform/utf8-decoder.js'

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 10_000)

/** Bytes around every UTF-8 boundary: ASCII, leads of each length, continuations, invalid. */
const EDGE_BYTES = [
  0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbb, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
  0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff,
]
const text = new TextEncoder()
const byteString = fc.array(
  fc.oneof(
    fc.constantFrom(...EDGE_BYTES).map((byte) => [byte]),
    fc.constantFrom('é', '€', '😀', '\uFEFF', '中').map((s) => [...text.encode(s)]),
  ),
  { maxLength: 24 },
)

/** Cuts `bytes` at the given positions (sorted, deduplicated by the caller's generator). */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const sorted = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const end of [...sorted, bytes.length]) {
    chunks.push(bytes.subarray(start, end))
    start = end
  }
  return chunks
}

describe('the Node UTF-8 decoder', () => {
  test('decodes any bytes, cut anywhere, as the streaming TextDecoder does', () => {
    fc.assert(
      fc.property(byteString, fc.array(fc.nat(), { maxLength: 6 }), (pieces, positions) => {
        const bytes = Uint8Array.from(pieces.flat())
        const chunks = cut(bytes, positions)
        const node = createUtf8Decoder()
        const platform = createBrowserDecoder()
        // Without a final flush, as the event stream reads: a trailing incomplete character
        // belongs to a block that is dropped anyway.
        const ours = chunks.map((chunk) => node(chunk)).join('')
        const reference = chunks.map((chunk) => platform(chunk)).join('')
        expect(ours).toBe(reference)
      }),
      { numRuns: RUNS },
    )
  })

  test('holds back a split character until its last byte arrives, from plain Uint8Arrays too', () => {
    const decode = createUtf8Decoder()
    const euro = text.encode('€😀')
    expect(decode(euro.slice(0, 1))).toBe('')
    expect(decode(euro.slice(1, 2))).toBe('')
    expect(decode(euro.slice(2, 4))).toBe('€')
    expect(decode(euro.slice(4, 6))).toBe('')
    expect(decode(euro.slice(6))).toBe('😀')
    expect(decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('\uFEFFA')
  })
})

describe("the legacy bundle's UTF-8 decoder in script", () => {
  test('decodes any bytes, cut anywhere, as the streaming TextDecoder does', () => {
    fc.assert(
      fc.property(byteString, fc.array(fc.nat(), { maxLength: 6 }), (pieces, positions) => {
        const chunks = cut(Uint8Array.from(pieces.flat()), positions)
        const script = createScriptUtf8Decoder()
        const platform = createBrowserDecoder()
        expect(chunks.map((chunk) => script(chunk)).join('')).toBe(
          chunks.map((chunk) => platform(chunk)).join(''),
        )
      }),
      { numRuns: RUNS },
    )
  })

  test('replaces each maximal invalid subpart once, and keeps a BOM', () => {
    const decode = createScriptUtf8Decoder()
    // A truncated 3-byte sequence, then a lone continuation, an overlong lead, a surrogate.
    expect(decode(Uint8Array.of(0xe2, 0x82, 0x41, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80))).toBe(
      '\uFFFDA\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD',
    )
    expect(decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0xf0, 0x9f))).toBe('\uFEFF')
    expect(decode(Uint8Array.of(0x98, 0x80))).toBe('😀')
  })

  test('decodes a large chunk (more characters than one call may take arguments)', () => {
    const big = 'é€😀a'.repeat(40_000)
    expect(createScriptUtf8Decoder()(text.encode(big))).toBe(big)
  })
})
