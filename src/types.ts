import type { EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'

/**
 * The second argument of the constructor. Unknown members are ignored, as in the native
 * dictionary.
 * @public
 */
export interface EventSourceInit {
  /**
   * Send cookies and HTTP authentication with a cross-origin request (CORS credentials mode
   * `include`); same-origin requests always send them.
   * @defaultValue `false`
   */
  withCredentials?: boolean | undefined
}

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
