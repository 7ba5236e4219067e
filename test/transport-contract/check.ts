/**
 * The Node side of every contract test, for both runners (test/transport-contract.test.ts in
 * Node, browser-test/transport-contract.test.ts in Chromium): starts the case's server, lets the
 * runner's client play the case, then checks the log, the requests and the sockets.
 */
import { expect } from 'vitest'
import type { ContractCase, TransportName } from './cases.js'
import { ContractServer, type ServerCertificates } from './server.js'

/** How long the server waits for the client to close its sockets after the case. */
const RELEASE_TIMEOUT_MS = 3000

/**
 * Runs `testCase` for `transport`; `play` runs the client against an origin and returns its log.
 * With `http2` certificates the server speaks HTTP/2 only, over TLS.
 */
export async function checkCase(
  testCase: ContractCase,
  transport: TransportName,
  play: (origin: string) => Promise<string[]>,
  http2?: ServerCertificates,
): Promise<void> {
  const server = testCase.routes && (await ContractServer.start(testCase.routes, http2))
  try {
    const scheme = http2 === undefined ? 'http' : 'https'
    const log = await play(server?.origin ?? (await ContractServer.refusedOrigin(scheme)))
    const difference = testCase.differences?.[transport]
    if (difference === undefined) expect(log).toEqual(testCase.expected)
    else expect(log, `known difference: ${difference.why}`).toEqual(difference.log)
    if (server === undefined) return
    if (testCase.requests !== undefined) expect(server.requests).toEqual(testCase.requests)
    expect(await server.released(RELEASE_TIMEOUT_MS), 'connections still open').toBe(0)
  } finally {
    await server?.close()
  }
}
