/**
 * Construction of the events an EventSource fires, in one place so that platforms lacking the
 * event classes can be given stand-ins without touching the processing model.
 * @internal
 */

/** A simple event: `open`, or `error` as the spec fires it (not bubbling, not cancelable). */
export function createEvent(type: 'open' | 'error'): Event {
  return new Event(type)
}

/** [spec] "dispatch the event" steps 4–6: a `MessageEvent` with data, origin and lastEventId. */
export function createMessageEvent(
  type: string,
  data: string,
  origin: string,
  lastEventId: string,
): MessageEvent<string> {
  return new MessageEvent(type, { data, origin, lastEventId })
}
