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
  /** The unfinished event outgrew `maxBufferSize`; nothing more is parsed from this stream. */
  onOverflow?(): void
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

/**
 * Interprets one event stream ([spec] "Interpreting an event stream"): UTF-8 decoding, then
 * eventsource-parser for lines and fields. Make one per response: decoder and parser state must
 * not cross a reconnect ("any pending data must be discarded" at end of file).
 *
 * `maxBufferSize` bounds, in bytes, the memory the unfinished event holds: 2 bytes a character
 * (JavaScript strings are UTF-16) plus {@link LINE_COST} a line. Comment lines are free (the
 * parser keeps none of them).
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
  const parser = createParser({
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

  // What the unfinished event holds; whether the last text ended with CR (an LF next ends the
  // same line), or inside a line, and whether that line is a comment.
  let held = 0
  let afterCR = false
  let inLine = false
  let inComment = false

  /** Charges the text's unfinished event to `held`, then hands the text to the parser. */
  const parse = (text: string): void => {
    const length = text.length
    const cr = text.indexOf('\r') !== -1
    // The lines after the last blank line are an event still being received, which starts at
    // `start` (0: before this text). Two line ends make a blank line, but CR LF is one: so the
    // last LF LF, LF CR or CR CR. The loop finds one across chunks.
    let start = 0
    let position = 0
    let blank = cr ? lastIndexOf(text, '\n\r', -1) : -1
    if (cr) blank = lastIndexOf(text, '\r\r', blank)
    blank = lastIndexOf(text, '\n\n', blank)
    if (blank !== -1) {
      start = position = blank + 2
      held = 0
      inLine = false
    }
    // An LF right after a CR ends the same line.
    if (
      text.charCodeAt(position) === LF &&
      (position ? text.charCodeAt(position - 1) === CR : afterCR)
    )
      position++
    let lines = 0
    let content = false
    while (position < length) {
      let end = text.indexOf('\n', position)
      if (cr) {
        const carriage = text.indexOf('\r', position)
        if (carriage !== -1 && (end === -1 || carriage < end)) end = carriage
      }
      const continued = position === 0 && inLine
      const comment = continued ? inComment : text.charCodeAt(position) === 58 // ':'
      inLine = end === -1
      if (inLine) {
        inComment = comment
        content ||= !comment
        break
      }
      const line = end > position || continued
      position = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1)
      if (!line) {
        // A blank line: the event so far is complete.
        held = lines = 0
        content = false
        start = position
      } else if (!comment) {
        content = true
        lines++
      }
    }
    afterCR = text.charCodeAt(length - 1) === CR
    if (!content) {
      parser.feed(text)
      return
    }
    // The parser keeps slices of the text, and in V8 a slice keeps its whole string alive: the
    // unfinished event is charged the whole text. When that is too much, and complete events
    // come first, the unfinished one is handed over as a copy of its own, charged alone.
    let size = length
    const copy = start > 0 && held + length * 2 + lines * LINE_COST > maxBufferSize
    if (copy) size -= start
    held += size * 2 + lines * LINE_COST
    const over = held > maxBufferSize
    // The complete events first; the oversized one never reaches the parser.
    if (over || copy) parser.feed(text.slice(0, start))
    if (!over) parser.feed(copy ? ` ${text.slice(start)}`.slice(1) : text)
    else if (!overflowed) {
      overflowed = true
      callbacks.onOverflow?.()
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
 * The last index of `pair` in `text` past `after`, or `after` when there is none. Fast: engines
 * search backwards one character at a time (some 40 µs for 64 KiB without a match in V8), but
 * forwards with memchr (under 1 µs). So: forwards, in windows that grow from the end.
 */
function lastIndexOf(text: string, pair: string, after: number): number {
  for (let window = 64; ; window *= 16) {
    const from = Math.max(after + 1, text.length - window)
    let last = after
    for (let at = text.indexOf(pair, from); at !== -1; at = text.indexOf(pair, at + 1)) last = at
    if (last > after || from === after + 1) return last
  }
}
