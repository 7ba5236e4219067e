/**
 * The platform of the legacy ES5 `<script>` bundle (rollup.config.mjs): the platform's event
 * classes where it can construct them and stand-ins where it cannot (IE 11, Safari before 14);
 * fetch streams where the browser has them and XMLHttpRequest where it has not (no fetch, no
 * ReadableStream bodies, no TextDecoder or no AbortController); URLs without `URL` where it is
 * missing. See platform.ts for the seam.
 * @internal
 */
import type { NormalizedOptions } from '../core/options.js'
import { createFetchTransport } from '../transports/fetch.js'
import type { Transport } from '../transports/transport.js'
import { xhrTransport } from '../transports/xhr.js'
import { domListeners } from './dom-listeners.js'
import { SourceEventTarget } from './legacy-events.js'
import type { ShareConnection } from './platform.js'
import { support } from './support.js'

export { newMessageEvent, SourceEvent, SourceEventTarget } from './legacy-events.js'
export { originOf, resolveUrl, withQueryParam } from './legacy-url.js'
export { createUtf8Decoder } from './legacy-utf8-decoder.js'

/** The stand-in's methods where `EventTarget` cannot be subclassed. @internal */
export const createListenerList = domListeners(SourceEventTarget)

/** fetch streams where they work (or a `fetch` option is given), else XMLHttpRequest. @internal */
export function transportFor(options: NormalizedOptions): Transport {
  if (options.fetch !== undefined || support.fetchStreaming)
    return createFetchTransport(options.fetch)
  return xhrTransport
}

/**
 * The `<script>` bundle does not share: the browsers it is for have no Web Locks, and it is one
 * file (no chunk to load on demand). @internal
 */
export const shareConnection: ShareConnection | undefined = undefined
