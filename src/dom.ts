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

/**
 * The MessageEvent of [spec] "dispatch the event" (see events.ts), made with `initMessageEvent`
 * where the platform has it (browser engines): Chromium takes its positional arguments faster
 * than the constructor's init dictionary (about 15% more events/s at 16 B, bench/README.md).
 * The event is the same: not yet dispatched, so init sets what the constructor would (not
 * bubbling, not cancelable, no source, no ports). Runtimes without a working one get the
 * constructor.
 * @internal
 */
export function newMessageEvent(
  type: string,
  data: string,
  origin: string,
  lastEventId: string,
): MessageEvent<string> {
  initWorks ??= initMessageEventWorks()
  if (!initWorks) return new MessageEvent(type, { data, origin, lastEventId })
  const event = new MessageEvent<string>(type)
  event.initMessageEvent(type, false, false, data, origin, lastEventId)
  return event
}

let initWorks: boolean | undefined

// Node 22+ has undici's initMessageEvent, which returns a new event instead of initialising
// this one (test/runtimes.test.ts runs this build in Node), and some runtimes have none.
function initMessageEventWorks(): boolean {
  try {
    const probe = new MessageEvent<string>('message')
    probe.initMessageEvent('message', false, false, 'x')
    return probe.data === 'x'
  } catch {
    return false
  }
}

export { createListenerList, type ListenerListLike } from './listener-list.js'
