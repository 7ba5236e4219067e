/**
 * Hostile servers (project issue #13): streams that never finish a line or an event, and servers
 * that invite a reconnect storm. Each memory shape runs in a child process (the heap after GC,
 * sampled while megabytes pass), against the built package.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { measureShape, memoryShapes, type ShapeResult } from './reliability/hostile.mjs'

const DIST = fileURLToPath(new URL('../dist/node.js', import.meta.url))
const MiB = 1024 * 1024

const measure = (
  shape: string,
  options: Omit<Parameters<typeof measureShape>[1], 'dist'>,
): Promise<ShapeResult> => measureShape(shape, { dist: DIST, ...options })

describe('memory is bounded in bytes by maxBufferSize', () => {
  const LIMIT = 2 * MiB
  // What eventsource-parser keeps of each: comments are skipped, the rest is held until the
  // limit (an unknown field's line counts as a line too).
  const overflows: Record<string, boolean> = {
    'endless line': true,
    'endless data lines': true,
    'endless data lines, two-byte text': true,
    'endless empty data lines': true,
    'endless comment': false,
    'endless id': true,
    'endless field name': true,
  }
  expect(Object.keys(overflows)).toEqual(Object.keys(memoryShapes))

  for (const shape of Object.keys(overflows)) {
    test(`${shape}: the heap stays within twice the limit while 24 MB pass`, async () => {
      const result = await measure(shape, { maxBufferSize: LIMIT, total: 24e6, heapLimitMb: 256 })
      expect(result.crashed).toBeUndefined()
      expect(result.growth).toBeLessThan(2 * LIMIT)
      const [outcome] = result.outcomes
      expect(outcome).toEqual(
        overflows[shape]
          ? {
              reason: 'overflow',
              message: `A line or event exceeded maxBufferSize (${LIMIT} bytes)`,
              readyState: 2,
            }
          : { reason: 'end', message: 'The stream ended', readyState: 2 },
      )
    })
  }

  test('three sources with the default limit against endless data lines fit in a 200 MB heap', async () => {
    // Before the limit counted bytes, each took ~500 MB (about 31 bytes of heap per counted
    // character) and the process died of out-of-memory before any error event.
    const result = await measure('endless data lines', {
      total: 80e6,
      sources: 3,
      heapLimitMb: 200,
    })
    expect(result.crashed).toBeUndefined()
    expect(result.outcomes.map((outcome) => outcome.reason)).toEqual([
      'overflow',
      'overflow',
      'overflow',
    ])
    expect(result.growth).toBeLessThan(3 * 2 * 16 * MiB)
  })
})
