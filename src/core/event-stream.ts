import { createParser } from 'eventsource-parser'
import { createUtf8Decoder } from '#platform'
import type { Utf8Decoder } from '../platform/platform.js'

/** What the glue reports while interpreting one response body. @internal */
export interface EventStreamCallbacks {
  /** A block ended that carried data: the spec's "dispatch the event" with a non-empty buffer. */
  onEvent(type: string, data: string): void
  /** A block ended after an `id` field without U+0000 (with or without data). */
  onId(id: string): void
  /** A `retry` field made only of ASCII digits. */
  onRetry(milliseconds: number): void
  /** A line or an event outgrew `maxBufferSize`; nothing more is parsed from this stream. */
  onOverflow?(error: Error): void
}

/** Feeds one response body, chunk by chunk, to the line parser. @internal */
export interface EventStream {
  feed(chunk: Uint8Array | string): void
}

/**
 * Interprets one event stream ([spec] "Interpreting an event stream"): UTF-8 decoding, then
 * eventsource-parser for lines and fields. Make one per response: decoder and parser state must
 * not cross a reconnect ("any pending data must be discarded" at end of file).
 * @internal
 */
export function createEventStream(
  callbacks: EventStreamCallbacks,
  maxBufferSize?: number,
): EventStream {
  // [spec] "UTF-8 decode" (the platform's decoder). It also strips exactly one leading BOM, which is
  // done below instead: Node 24's streaming TextDecoder loses a second BOM when the first is
  // split across chunks (found by test/properties.test.ts).
  let decode: Utf8Decoder | undefined
  let bomChecked = false
  let overflowed = false
  const parser = createParser({
    maxBufferSize,
    onError(error) {
      // Unknown fields and bad retry values are ignored, as the spec says; only the buffer
      // limit stops the stream (the parser refuses further input after it).
      if (error.type !== 'max-buffer-size-exceeded') return
      overflowed = true
      callbacks.onOverflow?.(error)
    },
    onEvent(message) {
      callbacks.onEvent(message.event ?? 'message', message.data)
    },
    onId: callbacks.onId,
    onRetry: callbacks.onRetry,
  })
  // The parser strips a leading BOM too, and also the three characters "\xEF\xBB\xBF" at the
  // start of decoded text. The one BOM the spec allows is removed here before the parser sees
  // the text, so a harmless blank line first ends the parser's BOM check: a second BOM stays
  // part of the first field name, as the spec requires, and text starting with "ï»¿" is kept.
  parser.feed('\n')

  return {
    feed(chunk) {
      if (overflowed) return
      if (typeof chunk === 'string') {
        parser.feed(chunk)
        return
      }
      decode ??= createUtf8Decoder()
      let text = decode(chunk)
      if (text === '') return
      if (!bomChecked) {
        bomChecked = true
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
        if (text === '') return
      }
      parser.feed(text)
    },
  }
}
