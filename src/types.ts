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
  error: EventSourceErrorEvent
  message: EventSourceMessageEvent
  open: EventSourceOpenEvent
}

/**
 * The W3C members of an EventSource, ours or a native one: the type of `this` in handlers.
 * @public
 */
export interface EventSourceLike extends EventTarget {
  readonly CONNECTING: 0
  readonly OPEN: 1
  readonly CLOSED: 2
  readonly readyState: number
  readonly url: string
  readonly withCredentials: boolean
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
  capture?: boolean
  once?: boolean
  passive?: boolean
  signal?: AbortSignal
}

/** A listener function or object, structurally (no DOM library needed). @public */
export type Listener = ((event: Event) => void) | { handleEvent(event: Event): void }
