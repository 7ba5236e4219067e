import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createEventStream } from '../src/core/event-stream.js'
import {
  eventReport,
  idReport,
  interpretEventStreamModel,
  type Report,
  retryReport,
} from './reliability/reference-model.js'

// Cases per run: 10,000 by default (a few seconds); PROPERTY_RUNS=200000 for a longer hunt.
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 10_000)

const encoder = new TextEncoder()
const utf8 = (text: string): Uint8Array => encoder.encode(text)
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const joined = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return joined
}

/** Feeds chunks to a fresh event stream (the unit under test) and lists what it reported. */
function interpret(chunks: ReadonlyArray<Uint8Array | string>): Report[] {
  const reports: Report[] = []
  const stream = createEventStream({
    onEvent: (type, data) => reports.push(eventReport(type, data)),
    onId: (id) => reports.push(idReport(id)),
    onRetry: (ms) => reports.push(retryReport(ms)),
  })
  for (const chunk of chunks) stream.feed(chunk)
  return reports
}

// ---- Generators: event streams as bytes ----

const LINE_ENDS = [utf8('\n'), utf8('\r'), utf8('\r\n')] as const
const lineEnd = fc.constantFrom(...LINE_ENDS)

/** Byte sequences that are not valid UTF-8 (lone continuation, truncated, overlong, surrogate…). */
const INVALID_UTF8 = [
  bytes(0x80),
  bytes(0xbf),
  bytes(0xc3),
  bytes(0xe2, 0x82),
  bytes(0xf0, 0x9f, 0x98),
  bytes(0xff),
  bytes(0xfe),
  bytes(0xc0, 0xaf),
  bytes(0xe0, 0x80, 0x80),
  bytes(0xed, 0xa0, 0x80),
  bytes(0xf4, 0x90, 0x80, 0x80),
  bytes(0xf8, 0x88, 0x80, 0x80, 0x80),
]

/** Pieces of a field value: ASCII (colons and spaces included), multi-byte, NUL, invalid bytes. */
const valuePiece: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('a', 'Z', '0', '42', ' ', '  ', ':', ': x', 'x y').map(utf8),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('é', '€', '😀', '\uFEFF', 'ï»¿', '\u2028', '\u0085', '\uFFFD', '中文')
      .map(utf8),
  },
  { weight: 1, arbitrary: fc.constant(utf8('\u0000')) },
  { weight: 2, arbitrary: fc.constantFrom(...INVALID_UTF8) },
  // Any code points (astral ones included), without line ends.
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 4 })
      .map((text) => utf8(text.replace(/[\r\n]/g, ''))),
  },
)
const value = fc.array(valuePiece, { maxLength: 5 }).map(concat)

const FIELD_NAMES = ['data', 'event', 'id', 'retry'] as const
const OTHER_NAMES = [
  'Data',
  'ID',
  'dat',
  'datax',
  'eventx',
  'retr',
  'foo',
  'data ',
  '\uFEFFdata',
  'é',
]
const separator = fc.constantFrom('', ':', ': ', ':  ', '::')

/** `name[:[ ]]value`: known and unknown names, with or without a colon and a space. */
const fieldLine = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
      fc.constantFrom(...OTHER_NAMES),
    ),
    separator,
    value,
  )
  .map(([name, sep, v]) => concat([utf8(name), utf8(sep), v]))

const digits = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength }).map((ds) => ds.join(''))

/** `retry` lines, valid (digits, leading zeros, long) and not (empty, signs, spaces, Arabic digits). */
const retryLine = fc
  .tuple(
    fc.constantFrom('retry:', 'retry: ', 'retry:  ', 'retry'),
    fc.oneof(
      { weight: 4, arbitrary: digits(8) },
      { weight: 1, arbitrary: digits(30) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '',
          '1.5',
          '-1',
          '+1',
          ' 5',
          '5 ',
          '5a',
          '\u0661',
          '1e3',
          '0x1',
          '٣',
        ),
      },
    ),
  )
  .map(([prefix, v]) => utf8(prefix === 'retry' ? prefix : `${prefix}${v}`))

/** `id` lines, often with U+0000 somewhere in the value. */
const idLine = fc
  .tuple(fc.constantFrom('id:', 'id: ', 'id'), value, fc.boolean(), fc.nat(8))
  .map(([prefix, v, withNul, at]) => {
    if (prefix === 'id') return utf8(prefix)
    const cut = Math.min(at, v.length)
    const nul = withNul ? utf8('\u0000') : new Uint8Array()
    return concat([utf8(prefix), v.subarray(0, cut), nul, v.subarray(cut)])
  })

/** `data` lines, the most common kind in real streams. */
const dataLine = fc
  .tuple(fc.constantFrom('data:', 'data: ', 'data:  ', 'data'), value)
  .map(([prefix, v]) => (prefix === 'data' ? utf8(prefix) : concat([utf8(prefix), v])))

const commentLine = value.map((v) => concat([utf8(':'), v]))
const blankLine = fc.constant(new Uint8Array())
/** Arbitrary bytes, CR and LF included: lines the structured generators would never make. */
const rawLine = fc.uint8Array({ maxLength: 8 })

const line = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: dataLine },
      { weight: 4, arbitrary: fieldLine },
      { weight: 2, arbitrary: retryLine },
      { weight: 3, arbitrary: idLine },
      { weight: 1, arbitrary: commentLine },
      { weight: 1, arbitrary: blankLine },
      { weight: 1, arbitrary: rawLine },
    ),
    lineEnd,
  )
  .map(([content, end]) => concat([content, end]))

/** A block: a few lines, then (usually) a blank line that dispatches it. */
const block = fc
  .tuple(
    fc.array(line, { minLength: 1, maxLength: 4 }),
    fc.oneof({ weight: 4, arbitrary: lineEnd }, fc.constant(new Uint8Array())),
  )
  .map(([lines, end]) => concat([...lines, end]))

const BOM = utf8('\uFEFF')
/** What precedes the first line: nothing, one BOM, two, or look-alikes of a BOM. */
const prefix = fc.oneof(
  { weight: 3, arbitrary: fc.constant(new Uint8Array()) },
  { weight: 3, arbitrary: fc.constant(BOM) },
  { weight: 3, arbitrary: fc.constant(concat([BOM, BOM])) },
  { weight: 1, arbitrary: fc.constant(utf8('ï»¿')) },
  { weight: 1, arbitrary: fc.constant(bytes(0xef, 0xbb)) },
)

/** A whole response body: prefix, blocks, and maybe an unterminated tail. */
const stream = fc
  .tuple(prefix, fc.array(block, { maxLength: 10 }), fc.option(fieldLine, { nil: undefined }))
  .map(([head, blocks, tail]) => concat([head, ...blocks, tail ?? new Uint8Array()]))

/** Split points: random cuts (repeats make empty chunks), or every byte on its own. */
const cuts = fc.oneof(
  { weight: 9, arbitrary: fc.array(fc.nat(), { maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('every byte' as const) },
)

function chunk(body: Uint8Array, how: number[] | 'every byte'): Uint8Array[] {
  if (how === 'every byte') return Array.from(body, (byte) => bytes(byte))
  const points = how.map((n) => n % (body.length + 1)).sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of points) {
    chunks.push(body.subarray(start, point))
    start = point
  }
  chunks.push(body.subarray(start))
  return chunks
}

// ---- What the generated cases covered, so a weakened generator cannot pass silently ----

interface Coverage {
  cases: number
  splitInsideCrlf: number
  splitInsideMultiByte: number
  twoBoms: number
  invalidUtf8: number
  idWithNul: number
  events: number
  ids: number
  retries: number
  unterminatedTail: number
}

const isContinuation = (byte: number | undefined) =>
  byte !== undefined && byte >= 0x80 && byte < 0xc0

function record(coverage: Coverage, body: Uint8Array, chunks: Uint8Array[], reports: Report[]) {
  coverage.cases++
  let offset = 0
  let crlf = false
  let multiByte = false
  for (const piece of chunks.slice(0, -1)) {
    offset += piece.length
    if (body[offset - 1] === 0x0d && body[offset] === 0x0a) crlf = true
    if (isContinuation(body[offset]) && (body[offset - 1] ?? 0) >= 0xc2) multiByte = true
  }
  if (crlf) coverage.splitInsideCrlf++
  if (multiByte) coverage.splitInsideMultiByte++
  if (body[0] === 0xef && body[3] === 0xef && body[5] === 0xbf) coverage.twoBoms++
  const text = new TextDecoder().decode(body)
  if (text.includes('\uFFFD')) coverage.invalidUtf8++
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.some((l) => l.startsWith('id:') && l.includes('\u0000'))) coverage.idWithNul++
  if (!/[\r\n]$/.test(text) && text !== '') coverage.unterminatedTail++
  for (const report of reports) {
    if (report.startsWith('id:')) coverage.ids++
    else if (report.startsWith('retry:')) coverage.retries++
    else coverage.events++
  }
}

describe('interpreting random event streams', () => {
  test('every chunking of a stream gives the reports of the whole stream, and both match the reference model', () => {
    const coverage: Coverage = {
      cases: 0,
      splitInsideCrlf: 0,
      splitInsideMultiByte: 0,
      twoBoms: 0,
      invalidUtf8: 0,
      idWithNul: 0,
      events: 0,
      ids: 0,
      retries: 0,
      unterminatedTail: 0,
    }
    const started = performance.now()
    fc.assert(
      fc.property(stream, cuts, (body, how) => {
        const chunks = chunk(body, how)
        const model = interpretEventStreamModel(body)
        const whole = interpret([body])
        const chunked = interpret(chunks)
        record(coverage, body, chunks, model)
        expect(whole).toEqual(model)
        expect(chunked).toEqual(whole)
      }),
      { numRuns: RUNS },
    )
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`properties: ${coverage.cases} cases in ${seconds} s`, coverage)
    // Each interesting shape must actually have been generated, in a fair share of the cases.
    expect(coverage.cases).toBeGreaterThanOrEqual(RUNS)
    const share = RUNS / 100
    expect(coverage.splitInsideCrlf).toBeGreaterThan(share)
    expect(coverage.splitInsideMultiByte).toBeGreaterThan(share)
    expect(coverage.twoBoms).toBeGreaterThan(share)
    expect(coverage.invalidUtf8).toBeGreaterThan(share)
    expect(coverage.idWithNul).toBeGreaterThan(share)
    expect(coverage.unterminatedTail).toBeGreaterThan(share)
    expect(coverage.events).toBeGreaterThan(RUNS)
    expect(coverage.ids).toBeGreaterThan(share)
    expect(coverage.retries).toBeGreaterThan(share)
  })

  test('text already decoded (the XMLHttpRequest path), fed as strings in random pieces, gives the reports of the model', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 40 }), (body, cuts) => {
        // As a browser's responseText: UTF-8 decoded, one BOM stripped. Cuts by UTF-16 code
        // unit, so some fall inside a surrogate pair.
        const text = new TextDecoder().decode(body)
        const points = cuts.map((n) => n % (text.length + 1)).sort((a, b) => a - b)
        const pieces: string[] = []
        let start = 0
        for (const point of points) {
          pieces.push(text.slice(start, point))
          start = point
        }
        pieces.push(text.slice(start))
        expect(interpret(pieces)).toEqual(interpretEventStreamModel(body))
      }),
      { numRuns: RUNS },
    )
  })

  test('maxBufferSize: a stream ending in a blank line holds nothing, however it is split', () => {
    // The charge behind maxBufferSize resets at every blank line: a missed one (CR LF split
    // across chunks, CR alone, a blank line at a chunk boundary) would fail a healthy stream.
    fc.assert(
      fc.property(stream, cuts, (body, how) => {
        const ended = concat([body, utf8('\n\n')])
        const source = createEventStream({ onEvent() {}, onId() {}, onRetry() {} })
        for (const piece of chunk(ended, how)) source.feed(piece)
        expect(source.held).toBe(0)
      }),
      { numRuns: RUNS },
    )
  })

  test('maxBufferSize: with any limit, the reports are those of the model up to an overflow, and all of them without one', () => {
    // Small limits take the paths a large one never does: an unfinished event handed to the
    // parser as a copy of its own, a chunk cut before an oversized event.
    fc.assert(
      fc.property(stream, cuts, fc.integer({ min: 1, max: 4000 }), (body, how, limit) => {
        const reports: Report[] = []
        let overflowed = false
        const source = createEventStream(
          {
            onEvent: (type, data) => reports.push(eventReport(type, data)),
            onId: (id) => reports.push(idReport(id)),
            onRetry: (ms) => reports.push(retryReport(ms)),
            onOverflow: () => {
              overflowed = true
            },
          },
          limit,
        )
        for (const piece of chunk(body, how)) source.feed(piece)
        const model = interpretEventStreamModel(body)
        expect(reports).toEqual(overflowed ? model.slice(0, reports.length) : model)
      }),
      { numRuns: RUNS },
    )
  })

  test('the reference model gives the spec examples their documented results', () => {
    // Examples from WHATWG HTML §9.2.6, and the edge cases the model must get right on its own.
    const model = (text: string) => interpretEventStreamModel(utf8(text))
    expect(model('data: YHOO\ndata: +2\ndata: 10\n\n')).toEqual([
      eventReport('message', 'YHOO\n+2\n10'),
    ])
    expect(
      model(
        ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n',
      ),
    ).toEqual([
      idReport('1'),
      eventReport('message', 'first event'),
      idReport(''),
      eventReport('message', 'second event'),
    ])
    expect(model('data\n\ndata\ndata\n\ndata:')).toEqual([
      eventReport('message', ''),
      eventReport('message', '\n'),
    ])
    expect(model('data:test\n\ndata: test\n\n')).toEqual([
      eventReport('message', 'test'),
      eventReport('message', 'test'),
    ])
    expect(model('\uFEFF\uFEFFdata: a\n\ndata: b\r\n\r\n')).toEqual([eventReport('message', 'b')])
    expect(model('event: tick\n\ndata: x\rid: a\u0000b\r\r')).toEqual([eventReport('message', 'x')])
    expect(model('retry: 12\nretry:\nretry: 1a\nid: 7\n')).toEqual([retryReport(12)])
  })
})
