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
export function resolveUrl(url: string): URL {
  const scope = globalThis as DocumentLike
  const base = scope.document?.baseURI ?? scope.location?.href
  try {
    return new URL(url, base)
  } catch {
    throw createSyntaxError(
      base === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(url)
        ? `Cannot construct an EventSource from the relative URL "${url}": there is no document to resolve it against.`
        : `Cannot construct an EventSource: "${url}" is not a valid URL.`,
    )
  }
}
