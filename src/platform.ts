import type { NormalizedOptions } from './options.js'
import type { Transport } from './transport.js'
import { createFetchTransport } from './transports/fetch.js'

/**
 * The transport for browsers and every runtime without a Node-specific entry: fetch streams.
 * The Node build replaces this module with `platform.node.ts` (tsup.config.ts), the legacy
 * `<script>` bundle with `platform.legacy.ts` (rollup.config.mjs), which adds XMLHttpRequest for
 * browsers whose fetch cannot stream. The Node-only `dispatcher` and `proxy` options mean nothing
 * here and are ignored, so isomorphic code may pass them everywhere.
 * @internal
 */
export function platformTransport(options: NormalizedOptions): Transport {
  return createFetchTransport(options.fetch)
}
