import { describe, expect, test } from 'vitest'
import { createEventStream, LINE_COST } from '../src/core/event-stream.js'

/** Feeds chunks to a fresh event stream and lists what it reported. */
function interpret(chunks: ReadonlyArray<Uint8Array | string>): string[] {
  const seen: string[] = []
  const stream = createEventStream({
    onEvent: (type, data) => seen.push(`${type}:${JSON.stringify(data)}`),
    onId: (id) => seen.push(`id:${JSON.stringify(id)}`),
    onRetry: (ms) => seen.push(`retry:${ms}`),
  })
  for (const chunk of chunks) stream.feed(chunk)
  return seen
}

const encoder = new TextEncoder()
// One representative stream: a BOM, every line ending, multi-byte text, a comment, an id,
// an id with U+0000, retry lines good and bad, an empty-data event and an unterminated block.
const representative = encoder.encode(
  '\uFEFF: hi\r\nid: é1\rdata: €a\n\nevent: tick\r\ndata: 😀\r\ndata\r\rretry: 15\nretry: x\nid: n\u0000\ndata: z\n\n\r\ndata: cut',
)
const expected = ['id:"é1"', 'message:"€a"', 'tick:"😀\\n"', 'retry:15', 'message:"z"']

describe('interpreting an event stream', () => {
  test('the representative stream, fed whole, gives the expected reports', () => {
    expect(interpret([representative])).toEqual(expected)
  })

  test('every split into two chunks gives the same reports', () => {
    for (let i = 1; i < representative.length; i++) {
      const chunks = [representative.slice(0, i), representative.slice(i)]
      expect(interpret(chunks), `split at ${i}`).toEqual(expected)
    }
  })

  test('every split into three chunks gives the same reports', () => {
    let splits = 0
    for (let i = 1; i < representative.length - 1; i++) {
      for (let j = i + 1; j < representative.length; j++) {
        const chunks = [
          representative.slice(0, i),
          representative.slice(i, j),
          representative.slice(j),
        ]
        const seen = interpret(chunks)
        if (JSON.stringify(seen) !== JSON.stringify(expected)) {
          expect(seen, `split at ${i}, ${j}`).toEqual(expected)
        }
        splits++
      }
    }
    expect(splits).toBe(((representative.length - 1) * (representative.length - 2)) / 2)
  })

  test('byte by byte gives the same reports', () => {
    expect(interpret(Array.from(representative, (byte) => new Uint8Array([byte])))).toEqual(
      expected,
    )
  })

  test('a CR ending a chunk dispatches at once, and a following LF is not a second line end', () => {
    expect(interpret(['data: a\r', '\r'])).toEqual(['message:"a"'])
    expect(interpret(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual(['message:"a\\nb"'])
  })

  test('only one BOM is stripped, and decoded text beginning with "ï»¿" is kept', () => {
    expect(interpret([encoder.encode('\uFEFF\uFEFFdata: a\n\ndata: b\n\n')])).toEqual([
      'message:"b"',
    ])
    expect(interpret([encoder.encode('\xEF\xBB\xBFdata: a\n\n')])).toEqual([])
    expect(interpret([encoder.encode('\uFEFF'), encoder.encode('data: a\n\n')])).toEqual([
      'message:"a"',
    ])
    // Two BOMs, the first split across chunks: Node 24's streaming TextDecoder strips both.
    const twoBoms = encoder.encode('\uFEFF\uFEFFdata: a\n\n')
    expect(interpret([twoBoms.slice(0, 1), twoBoms.slice(1)])).toEqual([])
    expect(interpret([twoBoms.slice(0, 2), twoBoms.slice(2, 6), twoBoms.slice(6)])).toEqual([])
  })

  test('invalid UTF-8 becomes U+FFFD, even at a chunk boundary', () => {
    const invalid = new Uint8Array([...encoder.encode('data: '), 0xe2, 0x82])
    expect(interpret([invalid, encoder.encode('x\n\n')])).toEqual(['message:"\uFFFDx"'])
  })

  test('retry takes only ASCII digits', () => {
    expect(
      interpret(['retry: 10\nretry: 1.5\nretry: -1\nretry: \u0661\nretry:\nretry: 007\n']),
    ).toEqual(['retry:10', 'retry:7'])
  })
})

describe('maxBufferSize: the bytes an unfinished event holds', () => {
  /** An event stream with a limit, and what it reported. */
  function limited(maxBufferSize: number) {
    const seen: string[] = []
    const stream = createEventStream(
      {
        onEvent: (type, data) => seen.push(`${type}:${data.length > 20 ? data.length : data}`),
        onId: () => undefined,
        onRetry: () => undefined,
        onOverflow: () => seen.push('overflow'),
      },
      maxBufferSize,
    )
    return { stream, seen }
  }

  test('a line longer than the limit stops the stream with one overflow report', () => {
    const { stream, seen } = limited(100)
    stream.feed('data: ok\n\n')
    for (let i = 0; i < 10; i++) stream.feed(`data: ${'x'.repeat(50)}`)
    stream.feed('\n\ndata: after\n\n')
    expect(seen).toEqual(['message:ok', 'overflow'])
  })

  test(`each line of an unfinished event costs 2 bytes a character plus ${LINE_COST}`, () => {
    const { stream, seen } = limited(10_000)
    // "data: x\n" is 8 characters, 80 bytes: 125 lines fit in 10,000 bytes, the 126th does not.
    for (let i = 0; i < 125; i++) stream.feed('data: x\n')
    expect([stream.held, seen]).toEqual([125 * (2 * 8 + LINE_COST), []])
    stream.feed('data: x\n')
    expect(seen).toEqual(['overflow'])
  })

  test('a blank line releases the charge, whatever the line ends and however split', () => {
    for (const [end, chunks] of [
      ['\n', ['data: a\n', '\n']],
      ['\r', ['data: a\r', '\r']],
      ['\r\n', ['data: a\r', '\n\r', '\n']],
      ['\r\n', ['data: a\r\n\r', '\n']],
      ['\n', ['data: a\n', '\r']],
    ] as const) {
      const { stream, seen } = limited(1000)
      for (const chunk of chunks) stream.feed(chunk)
      expect([stream.held, seen], JSON.stringify(chunks)).toEqual([0, ['message:a']])
      stream.feed(`data: b${end}`)
      expect(stream.held, JSON.stringify(end)).toBe(2 * (7 + end.length) + LINE_COST)
    }
  })

  test('a CR LF counts as one line end, also split across chunks', () => {
    const { stream } = limited(1000)
    stream.feed('data: a\r')
    stream.feed('\ndata: b\r\n')
    expect(stream.held).toBe(2 * (8 + 10) + 2 * LINE_COST)
  })

  test('comment lines cost nothing: a stream of heartbeats never overflows', () => {
    const { stream, seen } = limited(100)
    for (let i = 0; i < 10_000; i++) stream.feed(i % 2 === 0 ? ': heartbeat\n' : ':\r\n')
    stream.feed(`: ${'x'.repeat(1000)}`)
    stream.feed(`${'x'.repeat(1000)}\ndata: still here\n\n`)
    expect([stream.held, seen]).toEqual([0, ['message:still here']])
  })

  test('chunks of comment lines inside an event add nothing; its data lines do', () => {
    const { stream } = limited(1000)
    stream.feed('data: a\n')
    for (let i = 0; i < 100; i++) stream.feed(': a comment\n')
    stream.feed('data: b\n')
    expect(stream.held).toBe(2 * (2 * 8 + LINE_COST))
  })

  test('a short unfinished event after complete ones is charged alone, not with its chunk', () => {
    const { stream, seen } = limited(100)
    const complete = 'data: 0123456789\n\n'.repeat(100)
    stream.feed(`${complete}data: tail`)
    expect([stream.held, seen.length]).toEqual([2 * 10, 100])
    stream.feed('\n\n')
    expect([stream.held, seen.length, seen[100]]).toEqual([0, 101, 'message:tail'])
  })

  test('an overflowing chunk still dispatches the complete events before it', () => {
    const { stream, seen } = limited(100)
    stream.feed(`data: a\n\ndata: ${'x'.repeat(200)}`)
    expect(seen).toEqual(['message:a', 'overflow'])
  })

  test('an event just within the limit is dispatched whole', () => {
    const { stream, seen } = limited(1000)
    // 2 bytes for each of "data: ", the data and LF, plus the line's cost: exactly 1000.
    const size = (1000 - LINE_COST) / 2 - 7
    const line = `data: ${'y'.repeat(size)}\n`
    stream.feed(line.slice(0, 300))
    stream.feed(line.slice(300))
    stream.feed('\n')
    expect([stream.held, seen]).toEqual([0, [`message:${size}`]])
  })
})
