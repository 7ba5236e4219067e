/**
 * Code written against the `eventsource` package's (v4) types, only ever type-checked:
 * test/dropin.test.ts compiles it in a project where `eventsource` resolves to our tarball (the
 * npm `overrides` recipe), and, to prove it is v4 code, against eventsource v4 itself. The root
 * tsconfig maps `eventsource` to our source, so `npm run typecheck` checks it too.
 *
 * Each part is what v4's README shows or what its users commonly write; it names only types
 * both the DOM library and Node's types declare.
 */
import {
  type AddEventListenerOptions,
  ErrorEvent,
  type EventListener,
  type EventListenerObject,
  type EventListenerOptions,
  type EventListenerOrEventListenerObject,
  EventSource,
  type EventSourceEventMap,
  type EventSourceFetchInit,
  type EventSourceInit,
  type FetchLike,
  type FetchLikeResponse,
  type ReaderLike,
} from 'eventsource'

declare const token: string

/** v4's README: headers through a `fetch` wrapper. */
export const withHeaders = new EventSource('https://example.com/sse', {
  fetch: (input, init) =>
    fetch(input, {
      ...init,
      headers: {
        ...init.headers,
        Authorization: `Bearer ${token}`,
      },
    }),
})

/** v4's README, for library authors: detect the `fetch` option, then pass one. */
export function yourLibrary(Impl: typeof EventSource): EventSource | undefined {
  if (!(Symbol.for('eventsource.supports-fetch-override') in Impl)) return undefined
  return new Impl('https://example.com/sse', {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init.headers || {}), 'x-some-header': 'foo' } }),
  })
}

/** Options typed with the package's `EventSourceInit`, built apart from the call. */
const init: EventSourceInit = {
  withCredentials: true,
  fetch: async (url, fetchInit: EventSourceFetchInit) => {
    const accept: string = fetchInit.headers.Accept
    const lastEventId: string | undefined = fetchInit.headers['Last-Event-ID']
    const response = await fetch(url, { ...fetchInit, headers: { ...fetchInit.headers, accept } })
    if (lastEventId !== undefined && fetchInit.signal.aborted) throw new Error('aborted')
    return response
  },
}
export const source = new EventSource(new URL('https://example.com/sse'), init)

// v4's README: `code` and `message` on error events.
source.addEventListener('error', (err) => {
  if (err.code === 401 || err.code === 403) console.log('not authorized', err.message)
})
source.onerror = (err) => console.log(err.code, err.message)
source.onopen = (event) => console.log(event.type)
source.onmessage = (event) => console.log(event.data, event.lastEventId, event.origin)
source.addEventListener('message', (event) => console.log(event.data))
source.addEventListener('notice', (event) => console.log(event.data))
source.addEventListener('open', function (this: EventSource) {
  console.log(this.readyState === EventSource.OPEN, this.url, this.withCredentials)
})

/** `instanceof ErrorEvent` tells the error events apart. */
export function errorCode(event: Event): number | undefined {
  return event instanceof ErrorEvent ? event.code : undefined
}

/** Listener types under the package's names. */
const listener: EventListener = (event) => console.log(event.type)
const listenerObject: EventListenerObject = { handleEvent: (event) => console.log(event.type) }
const either: EventListenerOrEventListenerObject = Math.random() > 0.5 ? listener : listenerObject
const once: AddEventListenerOptions = { once: true, passive: true }
const capture: EventListenerOptions = { capture: false }
source.addEventListener('update', either, once)
source.removeEventListener('update', either, capture)

/** The event map, used to type a handler apart from the call. */
const onMessage = (event: EventSourceEventMap['message']): string => event.data
source.addEventListener('message', (event) => onMessage(event))
export const openType: EventSourceEventMap['open']['type'] = 'open'

/** A stand-in fetch (a test's mock), typed with the package's response and reader types. */
export const mockFetch: FetchLike = async (url) => {
  const reader: ReaderLike = {
    read: async () => ({ done: true, value: undefined }),
    cancel: async () => undefined,
  }
  const response: FetchLikeResponse = {
    url: String(url),
    status: 200,
    redirected: false,
    headers: {
      get: (name) => (name.toLowerCase() === 'content-type' ? 'text/event-stream' : null),
    },
    body: { getReader: () => reader },
  }
  return response
}

/** A platform `fetch` passed as it is. */
export const plain = new EventSource('https://example.com/sse', { fetch })
plain.close()

/** Handlers annotated with the platform's `MessageEvent`. */
function onAnnotated(event: MessageEvent): void {
  console.log(event.data)
}
source.addEventListener('message', onAnnotated)
source.addEventListener('notice', (event: MessageEvent) => console.log(event.data))
source.onmessage = onAnnotated
