/**
 * The transport contract (test/transport-contract/cases.ts) in Node, against every Node transport:
 * node:http (the default), undici's `request` (with a dispatcher), and the fetch transport on
 * Node's global fetch and on undici's. browser-test/transport-contract.test.ts runs the same
 * cases against fetch and XMLHttpRequest in Chromium.
 */
import { Agent, fetch as undiciFetch } from 'undici'
import { afterAll, describe, test } from 'vitest'
import { createFetchTransport } from '../src/transports/fetch.js'
import { nodeHttpTransport } from '../src/transports/node-http.js'
import type { Transport } from '../src/transports/transport.js'
import { createUndiciTransport } from '../src/transports/undici.js'
import { contractCases, type TransportName } from './transport-contract/cases.js'
import { checkCase } from './transport-contract/check.js'
import { runContractCase } from './transport-contract/harness.js'

// A dispatcher of the suite's own, as a user passing `dispatcher` would: closed at the end.
const agent = new Agent()
afterAll(() => agent.close())

const transports: ReadonlyArray<[TransportName, Transport]> = [
  ['node-http', nodeHttpTransport],
  ['undici', createUndiciTransport(() => Promise.resolve(agent))],
  ['fetch (global)', createFetchTransport(globalThis.fetch)],
  ['fetch (undici)', createFetchTransport(undiciFetch as typeof fetch)],
]

// Each case has its own server, so cases run side by side without sharing sockets.
for (const [name, transport] of transports) {
  describe.concurrent(name, () => {
    for (const testCase of contractCases) {
      test(testCase.name, () =>
        checkCase(testCase, name, (origin) => runContractCase(transport, testCase, origin)),
      )
    }
  })
}
