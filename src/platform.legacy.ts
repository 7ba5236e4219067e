import type { NormalizedOptions } from './options.js'
import { support } from './support.js'
import type { Transport } from './transport.js'
import { createFetchTransport } from './transports/fetch.js'
import { xhrTransport } from './transports/xhr.js'

/**
 * `platform.ts` for the legacy `<script>` bundle (see rollup.config.mjs): fetch streams where
 * the browser has them, XMLHttpRequest where it has not (no fetch, no ReadableStream bodies, no
 * TextDecoder or no AbortController).
 * @internal
 */
export function platformTransport(options: NormalizedOptions): Transport {
  if (options.fetch !== undefined || support.fetchStreaming)
    return createFetchTransport(options.fetch)
  return xhrTransport
}
