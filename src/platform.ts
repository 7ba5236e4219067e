import type { NormalizedOptions } from './options.js'
import { support } from './support.js'
import type { Transport } from './transport.js'
import { createFetchTransport } from './transports/fetch.js'
import { xhrTransport } from './transports/xhr.js'

/**
 * The transport for browsers and every runtime without a Node-specific entry: fetch streams, or
 * XMLHttpRequest where fetch cannot stream (old browsers).
 * The Node build replaces this module with `platform.node.ts` (see tsup.config.ts). The Node-only
 * `dispatcher` and `proxy` options mean nothing here and are ignored, so isomorphic code may pass
 * them everywhere.
 * @internal
 */
export function platformTransport(options: NormalizedOptions): Transport {
  if (options.fetch !== undefined || support.fetchStreaming)
    return createFetchTransport(options.fetch)
  return xhrTransport
}
