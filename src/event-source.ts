import {
  createListenerList,
  newMessageEvent,
  resolveUrl,
  SourceEventTarget,
  shareConnection,
  transportFor,
} from '#platform'
import type { ConnectionListener } from './core/connection.js'
import { ExtendedConnection, type SourceConnection } from './core/extended-connection.js'
import { iterateEvents } from './core/iterate.js'
import { normalizeOptions } from './core/options.js'
import { EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'
import {
  createHandlerAttributes,
  defineInterfaceShape,
  type HandlerName,
  missingUrl,
} from './interface.js'
import type {
  EventHandler,
  EventSourceEventMap,
  EventSourceMessageEvent,
  EventSourceOptions,
  EventsOptions,
  Listener,
  ListenerOptions,
  PlatformMessageEvent,
} from './types.js'

/** `Symbol.for('eventsource.supports-fetch-override')`, as a type: see the class's static. */
declare const SUPPORTS_FETCH_OVERRIDE: unique symbol

// What the overloads below accept, as one implementation signature.
type AnyListener =
  // biome-ignore lint/suspicious/noExplicitAny: any instantiation of the class
  ((this: EventSource<any>, event: never) => unknown) | { handleEvent(event: Event): void } | null

/**
 * A W3C/WHATWG-compatible `EventSource` (Server-Sent Events client) for Node.js and browsers.
 *
 * @example
 * ```ts
 * const source = new EventSource('https://example.com/stream')
 * source.onmessage = (event) => console.log(event.data)
 * source.addEventListener('tick', (event) => console.log(event.lastEventId, event.data))
 * ```
 * @public
 */
export class EventSource<
  Events extends Record<string, Event> = Record<never, never>,
> extends SourceEventTarget {
  /** readyState: the connection has not yet been established, or it is being reestablished. */
  declare static readonly CONNECTING: 0
  /** readyState: the connection is open and dispatching events. */
  declare static readonly OPEN: 1
  /** readyState: the connection is closed and will not be reestablished. */
  declare static readonly CLOSED: 2
  /** readyState: connecting, or waiting to reconnect. */
  declare readonly CONNECTING: 0
  /** readyState: open and dispatching events. */
  declare readonly OPEN: 1
  /** readyState: closed; it will not reconnect. */
  declare readonly CLOSED: 2
  /** Always `true`: tells this class from a native or other `EventSource` (say, after `install()`). */
  static readonly isomorphic = true
  /**
   * Every init option this class supports, each `true`: what SDKs probe before passing options
   * (LaunchDarkly's browser SDK streams with `method: 'REPORT'` when `method` is here; the
   * convention is launchdarkly-eventsource's). `isomorphic-eventsource/standard` names only
   * `withCredentials`.
   */
  static readonly supportedOptions: Readonly<Record<keyof EventSourceOptions, true>> =
    Object.freeze({
      withCredentials: true,
      headers: true,
      method: true,
      body: true,
      fetch: true,
      credentials: true,
      lastEventId: true,
      lastEventIdQueryParam: true,
      retry: true,
      shouldRetry: true,
      readTimeout: true,
      maxBufferSize: true,
      dispatcher: true,
      proxy: true,
      httpVersion: true,
      pauseWhenHidden: true,
      reconnectWhenOnline: true,
      share: true,
    })
  /**
   * Always `true`, under `Symbol.for('eventsource.supports-fetch-override')` (non-enumerable), as
   * the `eventsource` package marks its class: SDKs check it before passing a `fetch` option.
   */
  declare static readonly [SUPPORTS_FETCH_OVERRIDE]: true

  readonly #url: string
  readonly #withCredentials: boolean
  readonly #connection: SourceConnection
  /** `events()` iterators waiting for close(). Arrays: an empty one costs next to nothing. */
  readonly #closeCallbacks: Array<() => void> = []
  /**
   * Event types someone may listen to (added, never removed: an over-estimate is safe). A message
   * of any other type is not even built: nothing could observe it.
   */
  readonly #listened = new Set<string>()
  #listenedType: string | undefined
  /** `events('*')` iterators: they see every message event, whatever its type. */
  readonly #anyMessage: Array<(event: EventSourceMessageEvent) => void> = []
  /** Where listeners go and events are dispatched: the platform's choice (see platform.ts). */
  readonly #listeners = createListenerList(this)
  readonly #handlers = createHandlerAttributes(this, this.#listeners)

  /**
   * Opens a connection to `url` at once; events start arriving asynchronously.
   *
   * @param url - Absolute, or relative to the document's base URL in a browser.
   * @param init - `withCredentials`.
   * @throws `SyntaxError` (a `DOMException` where the platform has one) when `url` cannot be
   *   parsed, or in Node when it is relative.
   * @throws `TypeError` when `init` is neither an object nor undefined/null.
   */
  constructor(url: string | URL, init: EventSourceOptions | null = {}) {
    super()
    // biome-ignore lint/complexity/noArguments: only `arguments` tells a missing url from undefined
    if (arguments.length === 0) throw missingUrl()
    // Template literal, not String(): a Symbol must throw a TypeError, as WebIDL conversion does.
    const absoluteUrl = resolveUrl(`${url}`)
    const options = normalizeOptions(init)
    this.#url = absoluteUrl
    this.#withCredentials = options.withCredentials
    const listener: ConnectionListener = {
      open: (status, headers) => this.#fire(new EventSourceOpenEvent(status, headers)),
      message: (type, data, lastEventId, origin) => {
        const anyMessage = this.#anyMessage
        if (anyMessage.length === 0 && type !== this.#listenedType) {
          if (!this.#listened.has(type)) return
          // #listened only grows: a type found once stays listened to. Most streams carry one
          // type, so this spares a Set lookup per event (a tenth of the per-event cost in Node).
          this.#listenedType = type
        }
        const event = newMessageEvent(type, data, origin, lastEventId)
        this.#fire(event)
        // A copy: an iterator may stop (and leave the list) while it is told.
        if (anyMessage.length > 0) for (const observer of anyMessage.slice()) observer(event)
      },
      error: (details) => this.#fire(new EventSourceErrorEvent(details)),
    }
    // A connection of this source's own; with `share`, the platform decides who holds one.
    const open = (to: ConnectionListener) =>
      new ExtendedConnection(this.#url, options, transportFor(options), to)
    this.#connection =
      options.share && shareConnection
        ? shareConnection(this.#url, options, listener, open)
        : open(listener)
    this.#connection.connect()
  }

  /** The serialized absolute URL the source was constructed with (not the URL after redirects). */
  get url(): string {
    return this.#url
  }

  /** Whether cross-origin requests send credentials (from `init.withCredentials`). */
  get withCredentials(): boolean {
    return this.#withCredentials
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): number {
    return this.#connection.readyState
  }

  /**
   * Handler for `open`: the connection was established. Typed `Event`, as in the DOM, so the
   * class stays assignable to the DOM type; the event is an {@link EventSourceOpenEvent}
   * (`addEventListener('open', …)` is typed so).
   */
  get onopen(): EventHandler<Event> {
    return this.#handlers.get('open') as EventHandler<Event>
  }
  /** Sets the handler; see the getter. It may be typed for the event's own class. */
  set onopen(value: EventHandler<EventSourceOpenEvent>) {
    this.#setHandler('open', value)
  }

  /** Handler for `message`: an event without an `event:` field (or with `event: message`). */
  get onmessage(): EventHandler<EventSourceMessageEvent> {
    return this.#handlers.get('message') as EventHandler<EventSourceMessageEvent>
  }
  /** Sets the handler; see the getter. It may be typed for the platform's `MessageEvent`. */
  set onmessage(value: EventHandler<PlatformMessageEvent>) {
    this.#setHandler('message', value)
  }

  /**
   * Handler for `error`: the connection failed (`CLOSED`) or will be reestablished (`CONNECTING`).
   * Typed `Event`, as in the DOM; the event is an {@link EventSourceErrorEvent} (`status`,
   * `message`, `willRetry`, …), and `addEventListener('error', …)` is typed so.
   */
  get onerror(): EventHandler<Event> {
    return this.#handlers.get('error') as EventHandler<Event>
  }
  /** Sets the handler; see the getter. It may be typed for the event's own class. */
  set onerror(value: EventHandler<EventSourceErrorEvent>) {
    this.#setHandler('error', value)
  }

  /**
   * The last event ID the source resumes from: the latest `id:` field, or the `lastEventId`
   * option until the server sends one. Store it to resume after a restart. (Not in the W3C API.)
   */
  get lastEventId(): string {
    return this.#connection.lastEventId
  }

  /**
   * Drops the current connection (if any) and connects again now, with the last event ID; works
   * on a closed source too (after signing in again, say). Fires no `error`. (Not in the W3C API.)
   */
  reconnect(): void {
    this.#connection.reconnect()
  }

  /**
   * Async iteration over events of the given types (default `message`; `'*'` for every message
   * event, whatever its `event:` name, which no W3C listener can ask for): the loop ends when the
   * source is closed, throws an {@link EventSourceErrorEvent}-carrying error when the connection
   * fails, and closes the source when left early. At most `options.maxQueue` events (10,000)
   * wait for a loop that falls behind; past that the loop throws (the source is closed), or
   * drops the oldest with `overflow: 'drop-oldest'`. (Not in the W3C API.)
   *
   * @throws `TypeError` for a `maxQueue` below 1 or an unknown `overflow`.
   * @example
   * ```ts
   * for await (const event of source.events(['token', 'done'])) {
   *   if (event.type === 'done') break
   *   process.stdout.write(event.data)
   * }
   * ```
   */
  events(
    types: readonly string[] | '*' = ['message'],
    options?: EventsOptions,
  ): AsyncIterableIterator<EventSourceMessageEvent> {
    return iterateEvents(
      this,
      (callback) => subscribe(this.#closeCallbacks, callback),
      (callback) => subscribe(this.#anyMessage, callback),
      types,
      options,
    )
  }

  /** `for await (const event of source)`: the same as `source.events()`. */
  declare [Symbol.asyncIterator]: () => AsyncIterableIterator<EventSourceMessageEvent>

  /**
   * Aborts the connection and any pending reconnect; `readyState` becomes `CLOSED` and no
   * further event is dispatched, not even the rest of a chunk being processed. Fires no event.
   */
  close(): void {
    this.#connection.close()
    for (const callback of this.#closeCallbacks.slice()) callback()
  }

  /** Listens for an event of the optional event map, typed by its name. */
  override addEventListener<K extends keyof Events & string>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: Events[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens for `open`, `message` or `error`, typed. */
  override addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: EventSourceEventMap[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens for a named event (`event: type` on the wire): a message event. */
  override addEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: EventSourceMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens with any listener function or object, as `EventTarget` does. */
  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens with a listener typed for the platform's `MessageEvent` (what message events are). */
  override addEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: PlatformMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: AnyListener,
    options?: boolean | ListenerOptions,
  ): void {
    if (listener !== null && listener !== undefined) this.#listened.add(String(type))
    this.#listeners.add(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Removes a listener added for an event of the optional event map. */
  override removeEventListener<K extends keyof Events & string>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: Events[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes a listener of `open`, `message` or `error`. */
  override removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: EventSourceEventMap[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes a listener of a named event. */
  override removeEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: EventSourceMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes any listener function or object, as `EventTarget` does. */
  override removeEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes a listener typed for the platform's `MessageEvent`. */
  override removeEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource<Events>, event: PlatformMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: AnyListener,
    options?: boolean | ListenerOptions,
  ): void {
    this.#listeners.remove(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Dispatches `event` to this source's listeners, as `EventTarget` does. */
  override dispatchEvent(event: Event): boolean {
    return this.#fire(event)
  }

  // [HTML] "fire an event": the platform's dispatch, not a possibly overridden dispatchEvent.
  #fire(event: Event): boolean {
    return this.#listeners.dispatch(event)
  }

  // A handler makes its type listened to (an over-estimate when it is set to null: harmless).
  #setHandler(name: HandlerName, value: unknown): void {
    this.#listened.add(name)
    this.#handlers.set(name, value)
  }
}

/** Adds `callback` to `list`; returns what removes it again. */
function subscribe<T>(list: T[], callback: T): () => void {
  list.push(callback)
  return () => {
    const index = list.indexOf(callback)
    if (index !== -1) list.splice(index, 1)
  }
}

defineInterfaceShape(EventSource)
// Symbols exist everywhere but in IE 11, where these are simply absent.
if (typeof Symbol === 'function') {
  // Non-enumerable, read-only, as the eventsource package defines it.
  Object.defineProperty(EventSource, Symbol.for('eventsource.supports-fetch-override'), {
    value: true,
  })
  if (Symbol.asyncIterator !== undefined) {
    Object.defineProperty(EventSource.prototype, Symbol.asyncIterator, {
      value(this: EventSource) {
        return this.events()
      },
      writable: true,
      configurable: true,
    })
  }
}
