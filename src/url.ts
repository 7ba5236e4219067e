import { createSyntaxError } from './errors.js'

interface DocumentLike {
  readonly document?: { readonly baseURI?: string }
  readonly location?: { readonly href?: string }
}

/**
 * [spec] constructor steps 3–4: "encoding-parsing a URL given url, relative to settings", and a
 * "SyntaxError" DOMException on failure. The base is the document's base URL in a page, the
 * global's location in a worker, and none in Node (where a relative URL cannot be resolved).
 * @internal
 */
export function resolveUrl(url: string): string {
  const scope = globalThis as DocumentLike
  const base = scope.document?.baseURI ?? scope.location?.href
  try {
    if (typeof URL !== 'function') return resolveWithAnchor(url)
    return new URL(url, base).href
  } catch {
    throw createSyntaxError(
      base === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(url)
        ? `Cannot construct an EventSource from the relative URL "${url}": there is no document to resolve it against.`
        : `Cannot construct an EventSource: "${url}" is not a valid URL.`,
    )
  }
}

interface AnchorDocument {
  createElement(tag: 'a'): { href: string; protocol: string; host: string }
}

// IE 11 has no URL constructor: an anchor element resolves against the document the same way.
function resolveWithAnchor(url: string): string {
  const document = (globalThis as { document?: AnchorDocument }).document
  if (document === undefined) throw new TypeError('no URL parser')
  const anchor = document.createElement('a')
  anchor.href = url
  if (!/^[a-z][a-z0-9+.-]*:/i.test(anchor.href) || anchor.protocol === ':')
    throw new TypeError('invalid URL')
  return anchor.href
}

/** The serialized origin of an absolute URL ("null" for opaque ones). @internal */
export function originOf(url: string): string {
  try {
    if (typeof URL === 'function') return new URL(url).origin
    const match = /^(https?:)\/\/([^/?#]+)/i.exec(url)
    if (match === null) return 'null'
    // Default ports are not part of a serialized origin.
    const host = (match[2] as string).replace(/:(80|443)$/, (port) =>
      (match[1] === 'http:' && port === ':80') || (match[1] === 'https:' && port === ':443')
        ? ''
        : port,
    )
    return `${(match[1] as string).toLowerCase()}//${host.toLowerCase()}`
  } catch {
    return 'null'
  }
}

/** `url` with the query parameter `name` set to `value`. @internal */
export function withQueryParam(url: string, name: string, value: string): string {
  if (typeof URL === 'function') {
    const parsed = new URL(url)
    parsed.searchParams.set(name, value)
    return parsed.href
  }
  const hash = url.indexOf('#')
  const [path, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)]
  const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  return `${path}${path.indexOf('?') !== -1 ? '&' : '?'}${pair}${fragment}`
}
