/**
 * The platform of the Node build (tsup's `node` entry): node:http and undici (node-transport.ts),
 * events and dispatch of its own (node-events.ts), Buffer's UTF-8 decoding
 * (node-utf8-decoder.ts), and `URL`. A browser bundle never reaches this module, so it never
 * pulls in undici or a `node:` module. See platform.ts for the seam.
 * @internal
 */
import type { ShareConnection } from './platform.js'

export { createListenerList, newMessageEvent, SourceEvent } from './node-events.js'
export { transportFor } from './node-transport.js'
export { createUtf8Decoder } from './node-utf8-decoder.js'
export { originOf, resolveUrl, withQueryParam } from './url.js'

/** @internal Node's own: only the dispatch is the build's own (see node-events.ts). */
export const SourceEventTarget: typeof EventTarget = EventTarget

/**
 * The Node build does not share: `share` is ignored (not checked, as browsers ignore `proxy`),
 * each source has its own connection. The six-connections-per-origin limit it works around is a
 * browser's, and a process that wants one stream for many listeners can hold one source.
 * @internal
 */
export const shareConnection: ShareConnection | undefined = undefined
