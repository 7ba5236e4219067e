import type { EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'
import type {
  BodyValue,
  CredentialsMode,
  EventSourceOptions,
  ResponseHeadersLike,
} from './options.js'

/**
 * The second argument of the constructor: the W3C dictionary (`withCredentials`) with every
 * extension, the same type as {@link EventSourceOptions}. Under this name it also stands in for
 * the `eventsource` package's `EventSourceInit` (`withCredentials`, `fetch`), so code that types
 * options with it, such as an SDK's `eventSourceInit`, accepts the extensions too. Unknown members
 * are ignored, as in the native dictionary.
 * @public
 */
export type EventSourceInit = EventSourceOptions

/**
 * The `init` the `fetch` option is called with: a `RequestInit` whose members are always set
 * (the `eventsource` package's type, with `method`, `body` and `duplex` added). Spread it into
 * the init of the fetch you call, so the request stays what the spec asks for.
 * @public
 */
export interface EventSourceFetchInit {
  /** The `method` option, upper-cased where fetch would: `'GET'` by default. */
  method: string
  /**
   * A plain object: `Accept` (`text/event-stream` unless the `headers` option sets it),
   * `Last-Event-ID` when there is a last event ID, and the `headers` option's headers, whose
   * names are lower-cased.
   */
  headers: {
    [name: string]: string
    /** `text/event-stream`, or the `headers` option's `Accept`. */
    Accept: string
  }
  /** Aborted when the source closes or drops this request. */
  signal: AbortSignal
  /** [spec] Always `'cors'`: a potential-CORS request. */
  mode: 'cors'
  /** `'same-origin'`, `'include'` with `withCredentials`, or the `credentials` option. */
  credentials: CredentialsMode
  /** [spec] Always `'no-store'`, which makes fetch send `Cache-Control: no-cache`. */
  cache: 'no-store'
  /** [spec] Always `'follow'`. */
  redirect: 'follow'
  /** The `body` option's value for this attempt; absent without one. */
  body?: BodyValue
  /** `'half'` when the body is a stream, which fetch requires. */
  duplex?: 'half'
}

/**
 * A reader of a response body, as far as the source uses one (the `eventsource` package's type):
 * `ReadableStreamDefaultReader` fits it.
 * @public
 */
export interface ReaderLike {
  /** The next chunk (a `Uint8Array`), or `done`. */
  read(): Promise<
    | {
        /** More may follow. */
        done: false
        /** The chunk. */
        value: unknown
      }
    | {
        /** The body has ended. */
        done: true
        /** Nothing (some readers set it to undefined). */
        value?: unknown
      }
  >
  /** Stops reading and releases the body. */
  cancel(): Promise<void>
}

/**
 * What the `fetch` option's promise must resolve to: a fetch `Response`, or any object with
 * these members (the `eventsource` package's type). The body must be a stream of `Uint8Array`
 * chunks; anything else fails the connection with a `TypeError` naming the `fetch` option.
 * @public
 */
export interface FetchLikeResponse {
  /** A `ReadableStream` (anything with `getReader()`), or null for a response without a body. */
  readonly body: {
    /** Locks the stream to a reader. */
    getReader(): ReaderLike
  } | null
  /** The final URL after redirects: the origin of message events. */
  readonly url: string
  /** The HTTP status. */
  readonly status: number
  /** Whether a redirect was followed (not read by this library). */
  readonly redirected: boolean
  /** The response headers. */
  readonly headers: ResponseHeadersLike
}

/**
 * A `fetch`-compatible function, for the `fetch` option: called with the request URL (a string)
 * and an {@link EventSourceFetchInit}. The platform's `fetch`, undici's, or a wrapper around one
 * fits it; so does a function written for the `eventsource` package.
 * @public
 */
export type FetchLike = (url: string, init: EventSourceFetchInit) => Promise<FetchLikeResponse>

/**
 * Events with a fixed meaning, for typed `addEventListener` calls.
 * @public
 */
export interface EventSourceEventMap {
  /** The connection failed or will be reestablished. */
  error: EventSourceErrorEvent
  /** An event without an `event:` field (or with `event: message`). */
  message: EventSourceMessageEvent
  /** The connection was established. */
  open: EventSourceOpenEvent
}

/**
 * The W3C members of an EventSource, ours or a native one: the type of `this` in handlers.
 * @public
 */
export interface EventSourceLike extends EventTarget {
  /** readyState: connecting, or waiting to reconnect. */
  readonly CONNECTING: 0
  /** readyState: open. */
  readonly OPEN: 1
  /** readyState: closed. */
  readonly CLOSED: 2
  /** `CONNECTING`, `OPEN` or `CLOSED`. */
  readonly readyState: number
  /** The serialized URL the source was constructed with. */
  readonly url: string
  /** Whether cross-origin requests send credentials. */
  readonly withCredentials: boolean
  /** Closes the connection for good. */
  close(): void
}

/**
 * A message event as this library types it: the `MessageEvent` fields an EventSource fills.
 * At run time it is the platform's `MessageEvent` (`instanceof MessageEvent` holds); the type is
 * written out so that the declarations compile without the DOM library (Node's types alone).
 * @public
 */
export interface EventSourceMessageEvent extends Event {
  /** The event's `data:` lines, joined with LF. */
  readonly data: string
  /** Serialized origin of the stream's final URL (after redirects). */
  readonly origin: string
  /** The last event ID when the event was dispatched. */
  readonly lastEventId: string
  /** Always null for server-sent events. */
  readonly source: unknown
  /** Always empty for server-sent events. */
  readonly ports: readonly unknown[]
}

/**
 * A message event typed also as the platform's `MessageEvent` where the environment declares one
 * (the DOM library, Node's types): message events are `MessageEvent`s at run time, so handlers
 * annotated with that type are accepted. Found through `globalThis`, so the declarations still
 * compile where there is none (it is then {@link EventSourceMessageEvent}).
 * @public
 */
export type PlatformMessageEvent = EventSourceMessageEvent &
  (typeof globalThis extends {
    /** The platform's `MessageEvent` class. */
    MessageEvent: {
      /** Its constructor, whose instances are the type sought. */
      new (...args: never): infer T
    }
  }
    ? T
    : unknown)

/** `addEventListener` options, structurally (no DOM library needed). @public */
export interface ListenerOptions {
  /** Meaningless on an EventSource (it has no tree); accepted as `EventTarget` does. */
  capture?: boolean
  /** Remove the listener after its first call. */
  once?: boolean
  /** Promise not to call `preventDefault()`. */
  passive?: boolean
  /** Remove the listener when this signal aborts. */
  signal?: AbortSignal
}

/** A listener function or object, structurally (no DOM library needed). @public */
export type Listener =
  | ((event: Event) => void)
  | {
      /** Called with each event. */
      handleEvent(event: Event): void
    }

/** A listener function (the `eventsource` package's name for it). @public */
export type EventListener = (event: Event) => void

/** A listener object (the `eventsource` package's name for it). @public */
export interface EventListenerObject {
  /** Called with each event. */
  handleEvent(event: Event): void
}

/** A listener function or object: {@link Listener} under the `eventsource` package's name. @public */
export type EventListenerOrEventListenerObject = Listener

/** `removeEventListener` options (the `eventsource` package's name for them). @public */
export interface EventListenerOptions {
  /** Meaningless on an EventSource (it has no tree); accepted as `EventTarget` does. */
  capture?: boolean
}

/** `addEventListener` options: {@link ListenerOptions} under the `eventsource` package's name. @public */
export type AddEventListenerOptions = ListenerOptions
