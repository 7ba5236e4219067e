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
  init: { data: string; origin: string; lastEventId: string },
): MessageEvent<string> {
  return new MessageEvent(type, init)
}
