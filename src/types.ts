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
  message: MessageEvent<string>
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
