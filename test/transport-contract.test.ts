/**
 * The transport contract (test/transport-contract/cases.ts) in Node, against every Node transport:
 * node:http (the default), the same transport against an HTTP/2-only TLS server (node:http2,
 * negotiated by ALPN), undici's `request` (with a dispatcher), and the fetch transport on Node's
 * global fetch and on undici's. browser-test/transport-contract.test.ts runs the same cases
 * against fetch and XMLHttpRequest in Chromium.
 */
import https from 'node:https'
import { Agent, fetch as undiciFetch } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFetchTransport } from '../src/transports/fetch.js'
import { nodeHttpTransport } from '../src/transports/node-http.js'
import type { Transport } from '../src/transports/transport.js'
import { createUndiciTransport } from '../src/transports/undici.js'
import { FixtureServer } from './fixture-server.js'
import { type TestCertificates, testCertificates } from './support/tls.js'
import { contractCases, type TransportName } from './transport-contract/cases.js'
import { checkCase } from './transport-contract/check.js'
import { runContractCase } from './transport-contract/harness.js'

// A dispatcher of the suite's own, as a user passing `dispatcher` would: closed at the end.
const agent = new Agent()
afterAll(() => agent.close())

// The HTTP/2 server's certificate is trusted as any node:https request would be told to.
let certificates: TestCertificates
let savedCa: unknown
beforeAll(async () => {
  certificates = await testCertificates()
  savedCa = https.globalAgent.options.ca
  https.globalAgent.options.ca = certificates.ca
}, 30_000)
afterAll(() => {
  https.globalAgent.options.ca = savedCa as string | undefined
})

const transports: ReadonlyArray<[TransportName, Transport]> = [
  ['node-http', nodeHttpTransport],
  ['node-http2', nodeHttpTransport],
  ['undici', createUndiciTransport(() => Promise.resolve(agent))],
  ['fetch (global)', createFetchTransport(globalThis.fetch)],
  ['fetch (undici)', createFetchTransport(undiciFetch as typeof fetch)],
]

// Each case has its own server, so cases run side by side without sharing sockets.
for (const [name, transport] of transports) {
  describe.concurrent(name, () => {
    for (const testCase of contractCases) {
      test(testCase.name, () =>
        checkCase(
          testCase,
          name,
          (origin) => runContractCase(transport, testCase, origin),
          name === 'node-http2' ? certificates : undefined,
        ),
      )
    }
  })
}

// What the contract cannot see from the callbacks: after an abort from inside onChunk (close() in
// a message handler), the fetch transport must not begin another read of the body. Deno kept the
// response, and so the process, alive now and then when one was begun (test/runtimes.test.ts
// caught it); Node's fetch forgives it, so this counts the reads.
describe('fetch transport', () => {
  let server: FixtureServer
  beforeAll(async () => {
    server = await FixtureServer.start()
  })
  afterAll(() => server.close())

  test('begins no read of the body after an abort from inside onChunk', async () => {
    const route = server.route(() => ({ body: ['data: 1\n\n', 'data: 2\n\n'], finish: 'hang' }))
    let readsAfterAbort = 0
    let signal: AbortSignal | undefined
    const counting: typeof fetch = async (url, init) => {
      signal = init?.signal ?? undefined
      const response = await fetch(url, init)
      const reader = (response.body as ReadableStream<Uint8Array>).getReader()
      const read = reader.read.bind(reader)
      reader.read = () => {
        if (signal?.aborted) readsAfterAbort += 1
        return read()
      }
      const { status, url: finalUrl, headers } = response
      return { status, url: finalUrl, headers, body: { getReader: () => reader } } as Response
    }
    const seen: string[] = []
    let settle = (): void => {}
    const settled = new Promise<void>((resolve) => {
      settle = resolve
    })
    const handle = createFetchTransport(counting)(
      { url: route.url, method: 'GET', headers: {}, body: null, credentials: 'same-origin' },
      {
        onResponse: (head) => seen.push(`response ${head.status}`),
        onChunk: () => {
          seen.push('chunk')
          handle.abort()
          // The aborted read settles on a later turn; give it several.
          setTimeout(settle, 100)
        },
        onEnd: () => seen.push('end'),
        onError: (error) => seen.push(`error ${String(error)}`),
      },
    )
    await settled
    expect(seen).toEqual(['response 200', 'chunk'])
    expect(signal?.aborted).toBe(true)
    expect(readsAfterAbort).toBe(0)
  })
})
