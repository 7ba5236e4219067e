/**
 * Every public type of the library, in one place (the classes are in event-source.ts, events.ts
 * and errors.ts). Nothing here emits code.
 * @packageDocumentation
 */
import type { EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'

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

/** What hooks called before each connection attempt are told. @public */
export interface ConnectContext {
  /** 1 for the first request, then one more for every reconnect. */
  readonly attempt: number
  /** The last event ID the request will resume from ('' for none). */
  readonly lastEventId: string
  /** The URL being requested (with the `lastEventIdQueryParam`, when set). */
  readonly url: string
}

/** The part of a response a retry decision may look at. @public */
export interface ResponseHeadersLike {
  /** A header's value (several joined with ", "), or null when absent; the name is case-insensitive. */
  get(name: string): string | null
}

/** What `shouldRetry` is told about a failure. @public */
export interface RetryContext {
  /** Consecutive failed attempts, this one included. */
  readonly attempt: number
  /** The HTTP status, when a response caused the failure. */
  readonly status?: number | undefined
  /** The response headers, when a response caused the failure. */
  readonly headers?: ResponseHeadersLike | undefined
  /** The underlying error (network error, read timeout, a hook that threw), when there is one. */
  readonly error?: unknown
  /** What kind of failure (`end`, `network`, `http`, `timeout`, …): see `ErrorReason`. */
  readonly reason: ErrorReason
  /** What went wrong, in words. */
  readonly message: string
  /** The request method. */
  readonly method: string
  /** The last event ID the next attempt would resume from. */
  readonly lastEventId: string
  /** What the source will do unless `shouldRetry` decides otherwise. */
  readonly willRetry: boolean
  /** The delay it would wait (backoff, or the response's `Retry-After`). */
  readonly delay: number
}

/** Backoff and give-up settings (the `retry` option). @public */
export interface RetryOptions {
  /**
   * Reconnection time until the server sends a `retry:` field, which replaces it. With backoff
   * (`factor` > 1, `jitter` or `maxAttempts`) also the shortest delay: a server's `retry: 0` or
   * `Retry-After: 0` cannot make the source reconnect in a loop.
   * @defaultValue 3000 (the spec's)
   */
  initialDelay?: number
  /**
   * Upper bound for the grown delay and for `Retry-After`; a server's `retry:` above it is still
   * honoured. @defaultValue Infinity
   */
  maxDelay?: number
  /** Multiplier per consecutive failed attempt. @defaultValue 1 (fixed delay, as the spec) */
  factor?: number
  /** Random extra of up to this fraction of the delay (0–1); it only ever lengthens. @defaultValue 0 */
  jitter?: number
  /** A connection open this long (ms) resets the failure count. @defaultValue 0 */
  resetAfter?: number
  /** Give up (readyState `CLOSED`, a final `error`) after this many consecutive failed attempts. @defaultValue Infinity */
  maxAttempts?: number
  /**
   * HTTP statuses that reconnect instead of failing the connection, for the request methods in
   * `methods` (for others only when `shouldRetry` says so). A `Retry-After` header sets the delay
   * (capped by `maxDelay`; with backoff it may lengthen the delay, not shorten it).
   * @defaultValue [] (the spec fails on every status but 200)
   */
  statuses?: readonly number[]
  /**
   * The request methods `statuses` apply to (compared case-insensitively): add `'POST'` when
   * repeating the request is safe for your server.
   * @defaultValue the idempotent methods: GET, HEAD, OPTIONS, PUT, DELETE, and REPORT,
   *   PROPFIND, SEARCH, QUERY
   */
  methods?: readonly string[]
}

// fetch's own types, reached through `RequestInit`, which the DOM library and Node's types both
// declare: the declarations then compile in either.
/** What fetch accepts as a body. @public */
export type BodyValue = NonNullable<RequestInit['body']>
/** What fetch accepts as headers. @public */
export type HeadersValue = NonNullable<RequestInit['headers']>
/** A fetch credentials mode. @public */
export type CredentialsMode = NonNullable<RequestInit['credentials']>

/** A body, or where it comes from. @public */
export type BodySource =
  | BodyValue
  | null
  | ((context: ConnectContext) => BodyValue | null | Promise<BodyValue | null>)

/** Request headers, or a function that gives them for each attempt. @public */
export type HeadersSource =
  | HeadersValue
  | ((context: ConnectContext) => HeadersValue | Promise<HeadersValue>)

/**
 * The second constructor argument: the W3C `EventSourceInit`, plus the extensions. With none of
 * the extensions set, the source behaves exactly as the native one.
 * @public
 */
export interface EventSourceOptions {
  /**
   * Send cookies and HTTP authentication with a cross-origin request (CORS credentials mode
   * `include`); same-origin requests always send them.
   * @defaultValue `false`
   */
  withCredentials?: boolean | undefined
  /** Request headers, or a (possibly async) function called before every attempt. */
  headers?: HeadersSource | undefined
  /** HTTP method. @defaultValue 'GET' */
  method?: string | undefined
  /** Request body; a function gives a fresh one for each attempt (needed for stream bodies). */
  body?: BodySource | undefined
  /** A fetch implementation to use instead of the platform's (see {@link EventSourceFetchInit}). */
  fetch?: FetchLike | undefined
  /** Fetch credentials mode; overrides what `withCredentials` implies. */
  credentials?: CredentialsMode | undefined
  /** Resume from this id: sent as `Last-Event-ID` from the first request on. @defaultValue '' */
  lastEventId?: string | undefined
  /** Also send the last event ID in this query parameter (for servers that cannot read the header). */
  lastEventIdQueryParam?: string | undefined
  /** `false`: never reconnect (every drop fails the connection); or backoff settings. */
  retry?: false | RetryOptions | undefined
  /** Decides per failure: `true`/`false` to retry or not, a number of ms to retry after that delay, `undefined` for the default. */
  shouldRetry?: ((context: RetryContext) => boolean | number | undefined) | undefined
  /**
   * Milliseconds without a single byte (comments count) after which the connection is dropped and
   * reestablished, counted from the start of each attempt (the `headers` and `body` functions
   * included). Set it (45,000, or three heartbeats): without it a half-open connection is never
   * noticed. @defaultValue Infinity
   */
  readTimeout?: number | undefined
  /**
   * Bytes of memory one unfinished line or event may hold: 2 a character plus 64 a line (comment
   * lines are free). More fails the connection (`reason: 'overflow'`) instead of growing memory
   * without bound. @defaultValue 16 MiB (16,777,216)
   */
  maxBufferSize?: number | undefined
  /** Node only: the undici `Dispatcher` requests go through (TLS options, keep-alive, sockets). */
  dispatcher?: object | undefined
  /** Node only: `false` ignores `HTTP(S)_PROXY`; a URL forces that proxy. @defaultValue from the environment */
  proxy?: false | string | URL | undefined
  /**
   * Node only: which HTTP to speak. `'auto'`: HTTP/2 where an `https:` server offers it (TLS
   * ALPN), HTTP/1.1 otherwise; `'1.1'`: never HTTP/2; `'2'`: HTTP/2 only, with prior knowledge
   * for `http:` URLs (h2c). A `dispatcher`, a proxy or a `fetch` speaks what it speaks (undici's
   * `allowH2`), so `'2'` with one of them is a `TypeError`.
   * @defaultValue 'auto'
   */
  httpVersion?: 'auto' | '1.1' | '2' | undefined
  /** Browser only: disconnect while the page is hidden, resume (with Last-Event-ID) when it shows. @defaultValue false */
  pauseWhenHidden?: boolean | undefined
  /** Browser only: while waiting to reconnect, reconnect at once when the browser comes back online. @defaultValue false */
  reconnectWhenOnline?: boolean | undefined
  /**
   * Browser only: one network connection for every source of this origin with the same key, in
   * any tab. `true` derives the key from the request (absolute URL, method, credentials mode,
   * static headers, string body, `lastEventIdQueryParam`); a string names it, and is required
   * when `headers` is a function or `body` is not a string. One tab holds the connection (with
   * its own options) and passes events to the others; when it goes, another takes over and
   * resumes with `Last-Event-ID`. Where Web Locks or `BroadcastChannel` is missing (and in the
   * Node build) each source keeps a connection of its own. @defaultValue false
   */
  share?: boolean | string | undefined
}

/**
 * What kind of failure an `error` event reports:
 * - `end`: the server ended the stream (the spec reconnects);
 * - `network`: the request failed without a response (refused, reset, TLS, DNS, proxy);
 * - `http`: a status other than 200; `content-type`: a 200 that is not `text/event-stream`;
 * - `timeout`: no byte for `readTimeout` ms; `overflow`: a line or event beyond `maxBufferSize`;
 * - `hook`: the `headers` or `body` option threw, or the body cannot be sent again; or the
 *   `fetch` option broke its contract (threw, or resolved to no stream body): never retried;
 * - `policy`: `shouldRetry` threw; `scheme`: a URL no request can fetch: a scheme other than
 *   http(s) (ftp:, about:…), or credentials in it (`user:password@`), as in Chromium.
 * @public
 */
export type ErrorReason =
  | 'end'
  | 'network'
  | 'http'
  | 'content-type'
  | 'timeout'
  | 'overflow'
  | 'hook'
  | 'policy'
  | 'scheme'

/**
 * The value of an event handler attribute (`onopen`, `onmessage`, `onerror`). Its `this` is the
 * structural W3C shape, not the class: private fields make the class nominal, and the DOM's
 * EventSource type must stay assignable.
 * @public
 */
// biome-ignore lint/suspicious/noExplicitAny: mirrors the DOM's own handler type
export type EventHandler<E extends Event> = ((this: EventSourceLike, event: E) => any) | null

/** Options of {@link install}. @public */
export interface InstallOptions {
  /** Replace a native (or other) `EventSource` too. @defaultValue false */
  force?: boolean
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

/** Options of `source.events()`. @public */
export interface EventsOptions {
  /**
   * How many events may wait for a loop that takes them more slowly than they arrive: the
   * stream cannot be slowed down, so past this the loop must lose events or end.
   * @defaultValue 10,000
   */
  maxQueue?: number
  /**
   * Past `maxQueue`: `'error'` closes the source and, once the loop has taken the events that
   * were waiting, throws an `EventSourceError` (its event's `reason` is `'overflow'`);
   * `'drop-oldest'` drops the oldest waiting event to make room, and the loop goes on.
   * @defaultValue 'error'
   */
  overflow?: 'error' | 'drop-oldest'
}
