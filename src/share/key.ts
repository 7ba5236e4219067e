/**
 * The name of the Web Lock and the BroadcastChannel that the sources of one key share. Both
 * are scoped to the origin by the browser.
 */
import type { NormalizedOptions } from '../core/options.js'

// The protocol's version: tabs still running another release of it never mix with these.
const PREFIX = 'isomorphic-eventsource/share/1/'

/**
 * A named key is the name. `share: true` keys on what makes the request: the absolute URL, the
 * method and the credentials mode in clear (readable in `navigator.locks.query()`), and the
 * static headers, the string body and `lastEventIdQueryParam` as a hash (a token in a header
 * stays out of lock names). on-demand.ts ensures there is no headers or body function.
 * @internal
 */
export function shareName(url: string, options: NormalizedOptions): string {
  const { share, headers, body } = options
  if (typeof share === 'string') return `${PREFIX}name/${share}`
  const sortedHeaders = Array.isArray(headers) ? headers.map((pair) => pair.join(':')).sort() : []
  const rest = JSON.stringify([
    sortedHeaders,
    typeof body === 'string' ? body : null,
    options.lastEventIdQueryParam ?? null,
  ])
  return `${PREFIX}${options.method} ${options.credentials} ${url} ${hash(rest)}`
}

/**
 * 64 bits of FNV-1a style hashing (two 32-bit lanes with different odd multipliers): enough to keep the keys of one
 * origin apart; nothing here needs to resist a deliberate collision, since only code of the same
 * origin can reach its locks and channels.
 */
function hash(text: string): string {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x0100019d)
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36)
}
