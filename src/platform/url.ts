import { createSyntaxError } from '../errors.js'

interface DocumentLike {
  readonly document?: { readonly baseURI?: string }
  readonly location?: { readonly href?: string }
}

/**
 * [spec] constructor steps 3–4: "encoding-parsing a URL given url, relative to settings", and a
 * "SyntaxError" DOMException on failure. The base is the document's base URL in a page, the
 * global's location in a worker, and none in Node (where a relative URL cannot be resolved).
 * The legacy bundle wraps these functions for browsers without `URL` (legacy-url.ts).
 * @internal
 */
export function resolveUrl(url: string): string {
  const scope = globalThis as DocumentLike
  const base = scope.document?.baseURI ?? scope.location?.href
  try {
    return new URL(url, base).href
  } catch {
    throw invalidUrl(url, base)
  }
}

/** The SyntaxError of a URL that does not parse; credentials in it are not repeated. @internal */
export function invalidUrl(url: string, base: string | undefined): Error {
  return createSyntaxError(
    `EventSource: cannot parse the URL "${withoutUserinfo(url)}"${base === undefined ? ' (a relative URL needs a document)' : ''}`,
  )
}

/** `url` with any `user:password@` replaced by `***@`, for messages. @internal */
export function withoutUserinfo(url: string): string {
  return url.replace(/^((?:[a-z][a-z\d+.-]*:)?\/\/)?[^/?#]*@/i, '$1***@')
}

/** The serialized origin of an absolute URL ("null" for opaque ones). @internal */
export function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'null'
  }
}

/** `url` with the query parameter `name` set to `value`. @internal */
export function withQueryParam(url: string, name: string, value: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set(name, value)
  return parsed.href
}
