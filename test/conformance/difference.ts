/**
 * Known differences from a case's expected result, and what the runners assert instead. Imported
 * by the runners only (Node side): the pages bundle the cases, which use the type alone.
 */
import { isDeepStrictEqual } from 'node:util'
import type { ConformanceCase } from './cases.js'

/**
 * A named difference: why an engine or mode cannot give the expected result, and exactly what it
 * gives instead. What is left out is as expected, so an entry names only the part that differs,
 * and a second deviation in the same case still fails.
 */
export interface Difference {
  /** Why: the engine's or the mode's behaviour, and the spec step it departs from. */
  readonly why: string
  /** The exact result instead of `expected`. */
  readonly result?: unknown
  /** The exact request summary instead of `expectedRequests`. */
  readonly requests?: unknown
}

/** The result and request summary a run must give: the expected ones, patched by `difference`. */
export function expectedOutcome(
  testCase: ConformanceCase,
  difference?: Difference,
): { result: unknown; requests: unknown } {
  const expected = { result: testCase.expected, requests: testCase.expectedRequests }
  if (difference === undefined) return expected
  if ('requests' in difference && testCase.requests === undefined) {
    throw new Error(`"${testCase.name}" records no requests, but a difference names some`)
  }
  const patched = {
    result: 'result' in difference ? difference.result : expected.result,
    requests: 'requests' in difference ? difference.requests : expected.requests,
  }
  // An entry that changes nothing would hide a fix behind a passing test.
  if (isDeepStrictEqual(patched, expected)) {
    throw new Error(`the difference on "${testCase.name}" names no outcome other than expected`)
  }
  return patched
}
