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
  /** Bytes the unfinished event holds (see {@link LINE_COST}); 0 between events. */
  readonly held: number
}

/**
 * What each line of an unfinished event costs beyond its characters. The parser joins data
 * lines as they come (`data + "\n" + line`): in V8 that is two 32-byte rope nodes per line, plus
 * the line's own string header, so a stream of `data: x` lines costs some 30 bytes of heap per
 * character. Charging each line this much keeps the heap within about twice `maxBufferSize`.
 * @internal
 */
export const LINE_COST = 64

const LF = 10
const CR = 13
const COLON = 58

/**
 * Interprets one event stream ([spec] "Interpreting an event stream"): UTF-8 decoding, then
 * eventsource-parser for lines and fields. Make one per response: decoder and parser state must
 * not cross a reconnect ("any pending data must be discarded" at end of file).
 *
 * `maxBufferSize` bounds, in bytes, the memory the unfinished event holds: its lines' characters
 * plus {@link LINE_COST} per line. Comment lines are free (the parser keeps none of them).
 * @internal
 */
export function createEventStream(
  callbacks: EventStreamCallbacks,
  maxBufferSize = Infinity,
): EventStream {
  // [spec] "UTF-8 decode" (the platform's decoder). It also strips exactly one leading BOM, which is
  // done below instead: Node 24's streaming TextDecoder loses a second BOM when the first is
  // split across chunks (found by test/properties.test.ts).
  let decode: Utf8Decoder | undefined
  let bomChecked = false
  let overflowed = false
  const overflow = (error: Error): void => {
    overflowed = true
    callbacks.onOverflow?.(error)
  }
  const parser = createParser({
    maxBufferSize,
    onError(error) {
      // Unknown fields and bad retry values are ignored, as the spec says; only the buffer
      // limit stops the stream (the parser refuses further input after it).
      if (error.type === 'max-buffer-size-exceeded') overflow(error)
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

  // What the unfinished event holds, from the lines since the last blank line.
  let held = 0
  // The previous chunk's last character, and whether it ended inside a (comment) line.
  let lastChar = LF
  let inLine = false
  let inComment = false

  /** Charges the text's unfinished event to `held`, then hands the text to the parser. */
  const parse = (text: string): void => {
    const length = text.length
    const cr = text.indexOf('\r') !== -1
    const from = afterLastBlankLine(text, cr, lastChar)
    if (from !== -1) {
      held = 0
      inLine = false
    }
    // The lines after the last blank line: an event still being received. An LF right after a
    // CR ends the same line.
    let position = from === -1 ? 0 : from
    if (
      text.charCodeAt(position) === LF &&
      (position === 0 ? lastChar : text.charCodeAt(position - 1)) === CR
    )
      position++
    let lines = 0
    let content = false
    while (position < length) {
      const comment = position === 0 && inLine ? inComment : text.charCodeAt(position) === COLON
      let end = text.indexOf('\n', position)
      if (cr) {
        const carriage = text.indexOf('\r', position)
        if (carriage !== -1 && (end === -1 || carriage < end)) end = carriage
      }
      if (end === -1) {
        inLine = true
        inComment = comment
        if (!comment) content = true
        break
      }
      inLine = false
      if (!comment) {
        content = true
        lines++
      }
      position = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1)
    }
    lastChar = text.charCodeAt(length - 1)
    if (!content) {
      parser.feed(text)
      return
    }
    const start = from === -1 ? 0 : from
    // The parser keeps slices of the text, and in V8 a slice keeps its whole string alive: a
    // short unfinished event after complete ones is handed over as a copy of its own, so it
    // pins only itself. A longer one is charged the whole text (at most twice its size).
    const copy = start > 0 && (length - start) * 2 < length
    held += (copy ? length - start : length) * 2 + lines * LINE_COST
    if (held > maxBufferSize) {
      // The complete events before it are dispatched; the oversized one never reaches the parser.
      if (start > 0) parser.feed(text.slice(0, start))
      if (!overflowed)
        overflow(new Error(`An unfinished event exceeded ${maxBufferSize} bytes of memory`))
    } else if (copy) {
      parser.feed(text.slice(0, start))
      parser.feed(` ${text.slice(start)}`.slice(1))
    } else {
      parser.feed(text)
    }
  }

  return {
    get held() {
      return held
    },
    feed(chunk) {
      if (overflowed) return
      if (typeof chunk === 'string') {
        if (chunk !== '') parse(chunk)
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
      parse(text)
    },
  }
}

/**
 * Where the last blank line in `text` ends (an event boundary), or -1 when there is none. Two
 * line ends in a row make a blank line, except CR LF, which is one: so LF LF, LF CR and CR CR,
 * also across the boundary with the previous chunk's last character.
 */
function afterLastBlankLine(text: string, cr: boolean, lastChar: number): number {
  let end = lastIndexOf(text, '\n\n')
  if (cr) end = Math.max(end, lastIndexOf(text, '\n\r'), lastIndexOf(text, '\r\r'))
  if (end !== -1) return end + 2
  const first = text.charCodeAt(0)
  return (lastChar === LF && (first === LF || first === CR)) || (lastChar === CR && first === CR)
    ? 1
    : -1
}

/**
 * `text.lastIndexOf(pair)`, fast: engines search backwards one character at a time (some 40 µs
 * for 64 KiB without a match in V8), forwards with memchr (under 1 µs). So: forwards, in
 * windows that grow from the end, each searched to its last match.
 */
function lastIndexOf(text: string, pair: string): number {
  for (let window = 64; ; window *= 16) {
    const from = Math.max(0, text.length - window)
    let last = -1
    for (let at = text.indexOf(pair, from); at !== -1; at = text.indexOf(pair, at + 1)) last = at
    if (last !== -1 || from === 0) return last
  }
}
