/**
 * The legacy bundle's UTF-8 decoder (see legacy.ts): the platform's `TextDecoder` where it has
 * one (utf8-decoder.ts), else this one in script, for the bytes the XMLHttpRequest transport
 * reads in browsers without it (IE 11). It follows the WHATWG Encoding standard's "UTF-8
 * decoder" step by step, streaming: a character split across chunks waits for its end, and each
 * maximal invalid subpart becomes one U+FFFD (test/text-decoder.test.ts compares it with
 * `TextDecoder` for any bytes cut anywhere). A byte order mark is kept, as `ignoreBOM` keeps it:
 * the event stream strips one itself.
 * @internal
 */
import type { Utf8Decoder } from './platform.js'
import { createUtf8Decoder as createTextDecoder } from './utf8-decoder.js'

/** @internal */
export function createUtf8Decoder(): Utf8Decoder {
  return typeof TextDecoder === 'function' ? createTextDecoder() : createScriptUtf8Decoder()
}

/** The decoder in script, whatever the platform has (exported for the tests). @internal */
export function createScriptUtf8Decoder(): Utf8Decoder {
  // "UTF-8 code point", "bytes seen", "bytes needed", "lower boundary", "upper boundary".
  let point = 0
  let seen = 0
  let needed = 0
  let lower = 0x80
  let upper = 0xbf
  return (chunk) => {
    const units: number[] = []
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number
      if (needed === 0) {
        if (byte < 0x80) units.push(byte)
        else if (byte < 0xc2 || byte > 0xf4) units.push(0xfffd)
        else {
          needed = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3
          // The lead's payload bits: 5 of a 2-byte lead, 4 of a 3-byte one, 3 of a 4-byte one.
          point = byte & (0x3f >> needed)
          if (byte === 0xe0) lower = 0xa0
          else if (byte === 0xed) upper = 0x9f
          else if (byte === 0xf0) lower = 0x90
          else if (byte === 0xf4) upper = 0x8f
        }
      } else if (byte < lower || byte > upper) {
        // An unexpected byte ends the sequence with U+FFFD and is then processed on its own.
        point = seen = needed = 0
        lower = 0x80
        upper = 0xbf
        units.push(0xfffd)
        i--
      } else {
        lower = 0x80
        upper = 0xbf
        point = (point << 6) | (byte & 0x3f)
        if (++seen === needed) {
          if (point > 0xffff) {
            point -= 0x10000
            units.push(0xd800 + (point >> 10), 0xdc00 + (point & 0x3ff))
          } else {
            units.push(point)
          }
          point = seen = needed = 0
        }
      }
    }
    // In slices: engines limit how many arguments a call takes.
    let text = ''
    for (let i = 0; i < units.length; i += 8192)
      text += String.fromCharCode.apply(null, units.slice(i, i + 8192))
    return text
  }
}
