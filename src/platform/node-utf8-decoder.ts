/**
 * The Node build's UTF-8 decoder (see node.ts). Node's streaming `TextDecoder` goes
 * through ICU at about 1 GB/s; `Buffer#toString('utf8')` decodes the same bytes, with the same
 * U+FFFD replacements, several times faster. It has no streaming mode, so the start of a
 * character at the end of a chunk is held back here and put in front of the next chunk.
 * test/text-decoder.test.ts checks the two give the same text for any bytes cut anywhere.
 * @internal
 */
import { Buffer } from 'node:buffer'
import type { Utf8Decoder } from './platform.js'

/** @internal */
export function createUtf8Decoder(): Utf8Decoder {
  let held: Buffer | undefined
  return (chunk) => {
    let bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (held !== undefined) {
      bytes = Buffer.concat([held, bytes])
      held = undefined
    }
    const end = completeLength(bytes)
    // A copy: the transport may reuse the chunk's memory.
    if (end < bytes.length) held = Buffer.from(bytes.subarray(end))
    return bytes.toString('utf8', 0, end)
  }
}

/**
 * How many leading bytes the streaming decoder would have turned into text by now: all but a
 * trailing valid start of a character still missing its last bytes (WHATWG "UTF-8 decoder":
 * lead C2–F4, then continuation bytes in the ranges that lead allows). An invalid start is not
 * held back: the streaming decoder emits U+FFFD for it at once.
 */
function completeLength(bytes: Uint8Array): number {
  let start = bytes.length - 1
  let continuations = 0
  while (start >= 0 && continuations < 3 && ((bytes[start] as number) & 0xc0) === 0x80) {
    start--
    continuations++
  }
  if (start < 0) return bytes.length
  const lead = bytes[start] as number
  const length = lead < 0xc2 || lead > 0xf4 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4
  if (continuations + 1 >= length) return bytes.length
  if (continuations > 0) {
    const second = bytes[start + 1] as number
    const [low, high] = SECOND_BYTE_RANGES[lead] ?? [0x80, 0xbf]
    if (second < low || second > high) return bytes.length
  }
  return start
}

/** Leads whose second byte has a narrower range (no overlongs, surrogates, or past U+10FFFF). */
const SECOND_BYTE_RANGES: Record<number, readonly [number, number]> = {
  224: [0xa0, 0xbf],
  237: [0x80, 0x9f],
  240: [0x90, 0xbf],
  244: [0x80, 0x8f],
}
