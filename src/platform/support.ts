/**
 * What the platform offers, probed once at load (no side effects), so the rest of the code asks
 * a record instead of sniffing. Old browsers lack some of it; the library then uses stand-ins
 * (`shims.ts`) and the XMLHttpRequest transport.
 * @internal
 */

function constructible(make: () => unknown): boolean {
  try {
    make()
    return true
  } catch {
    return false
  }
}

const scope = globalThis as Partial<typeof globalThis>

/** @internal */
export const support = {
  /** fetch with streamed response bodies and the pieces the fetch transport uses. */
  fetchStreaming:
    typeof scope.fetch === 'function' &&
    typeof scope.ReadableStream === 'function' &&
    typeof scope.Response === 'function' &&
    'body' in scope.Response.prototype &&
    typeof scope.TextDecoder === 'function' &&
    typeof scope.AbortController === 'function',
  /** `new EventTarget()` works (not in IE 11 nor Safari before 14). */
  eventTarget: typeof scope.EventTarget === 'function' && constructible(() => new EventTarget()),
  /** `new Event(type)` works (not in IE 11). */
  event: typeof scope.Event === 'function' && constructible(() => new Event('x')),
  /** `new MessageEvent(type, init)` works. */
  messageEvent:
    typeof scope.MessageEvent === 'function' && constructible(() => new MessageEvent('x')),
}
