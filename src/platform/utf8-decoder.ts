/**
 * The streaming UTF-8 decoder the event stream reads bytes with ([spec] "UTF-8 decode": invalid
 * bytes become U+FFFD; a character split across chunks is held back until its end arrives). It
 * keeps a byte order mark: the event stream strips exactly one itself (see event-stream.ts).
 * The modern and legacy builds' decoder; Node's is `node-utf8-decoder.ts`.
 * @internal
 */
import type { Utf8Decoder } from './platform.js'

/** @internal */
export function createUtf8Decoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  return (chunk) => decoder.decode(chunk, { stream: true })
}
