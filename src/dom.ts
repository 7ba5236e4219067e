/**
 * The DOM event classes the library builds on. This is the modern build's version: the
 * platform's own classes. The legacy `<script>` bundle replaces this module with
 * `dom.legacy.ts` (see rollup.config.mjs), which falls back to stand-ins where old browsers
 * cannot construct them.
 * @internal
 */

/** @internal */
export const EventTargetBase: typeof EventTarget = EventTarget

/** @internal */
export const EventBase: typeof Event = Event

/** @internal */
export function newMessageEvent(
  type: string,
  data: string,
  origin: string,
  lastEventId: string,
): MessageEvent<string> {
  return new MessageEvent(type, { data, origin, lastEventId })
}

/**
 * A source's own listener list, where the platform's dispatch is worth bypassing (the Node build,
 * `dom.node.ts`). Browsers' dispatch is the platform's: none here.
 * @internal
 */
export function createListenerList(_target: EventTarget): ListenerListLike | undefined {
  return undefined
}

/** @internal */
export interface ListenerListLike {
  add(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  remove(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
  dispatch(event: Event): boolean
}
