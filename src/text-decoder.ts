/**
 * The streaming UTF-8 decoder the event stream reads bytes with ([spec] "UTF-8 decode": invalid
 * bytes become U+FFFD; a character split across chunks is held back until its end arrives). It
 * keeps a byte order mark: the event stream strips exactly one itself (see event-stream.ts).
 * This is the browser build's version; the Node build swaps in `text-decoder.node.ts`.
 * @internal
 */

/** @internal */
export type Utf8Decoder = (chunk: Uint8Array) => string

/** @internal */
export function createUtf8Decoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  return (chunk) => decoder.decode(chunk, { stream: true })
}
