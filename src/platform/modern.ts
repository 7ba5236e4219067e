/**
 * The platform of the modern build (browsers, workers, Deno, Bun, and this build run in
 * Node): the platform's own event classes and dispatch, fetch streams, `TextDecoder`, `URL`. The
 * Node-only `dispatcher` and `proxy` options mean nothing here and are ignored, so isomorphic
 * code may pass them everywhere. See platform.ts for the seam.
 * @internal
 */
import type { NormalizedOptions } from '../core/options.js'
import { createFetchTransport } from '../transports/fetch.js'
import type { Transport } from '../transports/transport.js'
import { domListeners } from './dom-listeners.js'

export { shareConnection } from '../share/on-demand.js'
export { newMessageEvent } from './message-event.js'
export { originOf, resolveUrl, withQueryParam } from './url.js'
export { createUtf8Decoder } from './utf8-decoder.js'

/** @internal */
export const SourceEventTarget: typeof EventTarget = EventTarget

/** @internal */
export const SourceEvent: typeof Event = Event

/** @internal */
export const createListenerList = domListeners(EventTarget)

/** fetch streams, with the `fetch` option's fetch or the global one. @internal */
export function transportFor(options: NormalizedOptions): Transport {
  return createFetchTransport(options.fetch)
}
