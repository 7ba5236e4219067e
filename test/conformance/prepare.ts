import type { FixtureServer, RecordedRequest } from '../fixture-server.js'
import type { ConformanceCase } from './cases.js'

/** A case's routes on the two origins, and how to read what they received. */
export interface PreparedCase {
  readonly url: string
  /** The server-side summary to compare with `expectedRequests`. */
  requests(): unknown
}

/** Registers a case's routes: its script on `main`, its redirect target (if any) on `other`. */
export function prepareCase(
  testCase: ConformanceCase,
  main: FixtureServer,
  other: FixtureServer,
): PreparedCase {
  const slug = testCase.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')
  const targetRoute = testCase.target ? other.route(testCase.target, slug) : undefined
  const env = { targetUrl: targetRoute?.url ?? '' }
  const route = main.route((request, attempt) => testCase.script(request, attempt, env), slug)
  const noRequests: readonly RecordedRequest[] = []
  return {
    url: route.url,
    requests: () => testCase.requests?.(route.requests, targetRoute?.requests ?? noRequests),
  }
}
