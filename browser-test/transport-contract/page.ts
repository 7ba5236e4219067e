/**
 * The browser side of the transport contract suite: the page runs one case of
 * test/transport-contract/cases.ts against the fetch or the XMLHttpRequest transport.
 */

import { createFetchTransport } from '../../src/transports/fetch.js'
import type { Transport } from '../../src/transports/transport.js'
import { xhrTransport } from '../../src/transports/xhr.js'
import { contractCases } from '../../test/transport-contract/cases.js'
import { runContractCase } from '../../test/transport-contract/harness.js'

/** The transports this page offers, by the name the runner asks for. */
export type BrowserTransport = 'fetch' | 'xhr'

const transports: Record<BrowserTransport, Transport> = {
  fetch: createFetchTransport(),
  xhr: xhrTransport,
}

declare global {
  var playContractCase: (
    transport: BrowserTransport,
    caseName: string,
    origin: string,
  ) => Promise<string[]>
}

globalThis.playContractCase = (transport, caseName, origin) => {
  const testCase = contractCases.find((candidate) => candidate.name === caseName)
  if (testCase === undefined) throw new Error(`no case named ${caseName}`)
  return runContractCase(transports[transport], testCase, origin)
}
