/**
 * The legacy bundle's URL handling (see legacy.ts): IE 11 has no `URL`, so where it is missing,
 * an anchor element resolves URLs against the document, and origins and
 * query parameters are worked out by hand.
 * @internal
 */
import * as withUrl from './url.js'

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i

interface AnchorDocument {
  readonly baseURI?: string
  createElement(tag: 'a'): { href: string; protocol: string }
}

/** @internal */
export function resolveUrl(url: string): string {
  if (typeof URL === 'function') return withUrl.resolveUrl(url)
  const document = (globalThis as { document?: AnchorDocument }).document
  try {
    const anchor = (document as AnchorDocument).createElement('a')
    anchor.href = url
    if (ABSOLUTE.test(anchor.href) && anchor.protocol !== ':') return anchor.href
  } catch {
    // No document, or a URL the anchor refuses: the SyntaxError below.
  }
  throw withUrl.invalidUrl(url, document?.baseURI)
}

/** @internal */
export function originOf(url: string): string {
  if (typeof URL === 'function') return withUrl.originOf(url)
  const match = /^(https?:)\/\/([^/?#]+)/i.exec(url)
  if (match === null) return 'null'
  const scheme = (match[1] as string).toLowerCase()
  // Default ports are not part of a serialized origin.
  const host = (match[2] as string).toLowerCase().replace(scheme === 'http:' ? /:80$/ : /:443$/, '')
  return `${scheme}//${host}`
}

/** @internal */
export function withQueryParam(url: string, name: string, value: string): string {
  if (typeof URL === 'function') return withUrl.withQueryParam(url, name, value)
  const hash = url.indexOf('#')
  const path = hash === -1 ? url : url.slice(0, hash)
  const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  return `${path}${path.indexOf('?') === -1 ? '?' : '&'}${pair}${hash === -1 ? '' : url.slice(hash)}`
}
