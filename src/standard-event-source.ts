import {
  createListenerList,
  newMessageEvent,
  resolveUrl,
  SourceEvent,
  SourceEventTarget,
  transportFor,
} from '#platform'
import { Connection } from './core/connection.js'
import type { NormalizedOptions } from './core/options.js'
import { DEFAULT_MAX_BUFFER_SIZE } from './core/options.js'
import { createHandlerAttributes, defineInterfaceShape, missingUrl } from './interface.js'
import type { EventHandler, EventSourceMessageEvent, Listener, ListenerOptions } from './types.js'

// What the overloads below accept, as one implementation signature.
type AnyListener =
  | ((this: EventSource, event: never) => unknown)
  | { handleEvent(event: Event): void }
  | null

/**
 * The events of the W3C interface, for typed `addEventListener` calls: `open` and `error` are
 * plain `Event`s, as the spec fires them.
 * @public
 */
export interface StandardEventSourceEventMap {
  /** The connection failed or will be reestablished. */
  error: Event
  /** An event without an `event:` field (or with `event: message`). */
  message: EventSourceMessageEvent
  /** The connection was established. */
  open: Event
}

/**
 * Exactly the W3C/WHATWG `EventSource` (Server-Sent Events client), with none of this library's
 * extensions: `isomorphic-eventsource/standard`. Same processing model and conformance as the
 * full class (the same connection, built with the spec's steps alone), in fewer bytes.
 *
 * @example
 * ```ts
 * import { EventSource } from 'isomorphic-eventsource/standard'
 * globalThis.EventSource ??= EventSource
 * ```
 * @public
 */
export class EventSource extends SourceEventTarget {
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
  /** Always `true`: tells this class from a native or other `EventSource`. */
  static readonly isomorphic = true
  /**
   * The init options this class supports (for SDKs that probe before passing options): only the
   * W3C one, `withCredentials`. The full class names all of its own.
   */
  static readonly supportedOptions: Readonly<{
    /** The one init member of the W3C interface. */
    withCredentials: true
  }> = Object.freeze({
    withCredentials: true,
  })

  readonly #url: string
  readonly #withCredentials: boolean
  readonly #connection: Connection
  readonly #listeners = createListenerList(this)
  readonly #handlers = createHandlerAttributes(this, this.#listeners)

  /**
   * Opens a connection to `url` at once; events start arriving asynchronously.
   *
   * @param url - Absolute, or relative to the document's base URL in a browser.
   * @param init - `withCredentials`; other members are ignored, as by the native class.
   * @throws `SyntaxError` (a `DOMException` where the platform has one) when `url` cannot be
   *   parsed, or in Node when it is relative.
   * @throws `TypeError` when `init` is neither an object nor undefined/null.
   */
  constructor(url: string | URL, init: { withCredentials?: boolean | undefined } | null = {}) {
    super()
    // biome-ignore lint/complexity/noArguments: only `arguments` tells a missing url from undefined
    if (arguments.length === 0) throw missingUrl()
    // Template literal, not String(): a Symbol must throw a TypeError, as WebIDL conversion does.
    this.#url = resolveUrl(`${url}`)
    const options = standardOptions(init)
    this.#withCredentials = options.withCredentials
    this.#connection = new Connection(this.#url, options, transportFor(options), {
      open: () => this.#fire(new SourceEvent('open')),
      message: (type, data, lastEventId, origin) =>
        this.#fire(newMessageEvent(type, data, origin, lastEventId)),
      error: () => this.#fire(new SourceEvent('error')),
    })
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

  /** Handler for `open`: the connection was established. */
  get onopen(): EventHandler<Event> {
    return this.#handlers.get('open') as EventHandler<Event>
  }
  /** Sets the handler; see the getter. */
  set onopen(value: EventHandler<Event>) {
    this.#handlers.set('open', value)
  }

  /** Handler for `message`: an event without an `event:` field (or with `event: message`). */
  get onmessage(): EventHandler<EventSourceMessageEvent> {
    return this.#handlers.get('message') as EventHandler<EventSourceMessageEvent>
  }
  /** Sets the handler; see the getter. */
  set onmessage(value: EventHandler<EventSourceMessageEvent>) {
    this.#handlers.set('message', value)
  }

  /** Handler for `error`: the connection failed (`CLOSED`) or will be reestablished (`CONNECTING`). */
  get onerror(): EventHandler<Event> {
    return this.#handlers.get('error') as EventHandler<Event>
  }
  /** Sets the handler; see the getter. */
  set onerror(value: EventHandler<Event>) {
    this.#handlers.set('error', value)
  }

  /**
   * Aborts the connection and any pending reconnect; `readyState` becomes `CLOSED` and no
   * further event is dispatched, not even the rest of a chunk being processed. Fires no event.
   */
  close(): void {
    this.#connection.close()
  }

  /** Listens for `open`, `message` or `error`, typed. */
  override addEventListener<K extends keyof StandardEventSourceEventMap>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource, event: StandardEventSourceEventMap[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens for a named event (`event: type` on the wire): a message event. */
  override addEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource, event: EventSourceMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Listens with any listener function or object, as `EventTarget` does. */
  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | ListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: AnyListener,
    options?: boolean | ListenerOptions,
  ): void {
    this.#listeners.add(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Removes a listener of `open`, `message` or `error`. */
  override removeEventListener<K extends keyof StandardEventSourceEventMap>(
    type: K,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource, event: StandardEventSourceEventMap[K]) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes a listener of a named event. */
  override removeEventListener(
    type: string,
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's listener signature
    listener: (this: EventSource, event: EventSourceMessageEvent) => any,
    options?: boolean | ListenerOptions,
  ): void
  /** Removes any listener function or object, as `EventTarget` does. */
  override removeEventListener(
    type: string,
    listener: Listener | null,
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
}

defineInterfaceShape(EventSource)

/**
 * [spec] constructor steps 6–8 and WebIDL's dictionary conversion: the second argument is an
 * object, null or undefined (anything else is a `TypeError`); only `withCredentials` is read.
 * The result is the full tier's options with every extension off: the fields left out are read
 * only by ExtendedConnection and the Node platform, which this tier does not use (the modern
 * and legacy platforms' `transportFor` reads `fetch`: absent, so the platform's own).
 */
function standardOptions(init: unknown): NormalizedOptions {
  if (init !== undefined && init !== null && typeof init !== 'object' && typeof init !== 'function')
    throw new TypeError('EventSource: the second argument must be an object')
  const withCredentials = Boolean((init as { withCredentials?: unknown } | null)?.withCredentials)
  return {
    withCredentials,
    credentials: withCredentials ? 'include' : 'same-origin',
    method: 'GET',
    lastEventId: '',
    // Not an option here, but a bound all the same: a line or event of 16 Mi characters fails
    // the connection instead of growing memory without end.
    maxBufferSize: DEFAULT_MAX_BUFFER_SIZE,
  } as NormalizedOptions
}
