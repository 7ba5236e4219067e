/**
 * `dom.ts` for the Node build (see tsup.config.ts). Node's `MessageEvent` constructor runs its
 * init dictionary through WebIDL conversions that cost more than the rest of an event's way to a
 * listener (bench/PROFILE.md: `MessageEvent` and its `Event` setup were a quarter of the CPU at
 * 16-byte events). This builds the same object with plain fields: a real `Event` (so Node's
 * `EventTarget` dispatches it, and `instanceof Event` holds) whose prototype chain passes
 * through `MessageEvent.prototype` (so `instanceof MessageEvent` holds, and its `toStringTag`).
 * @internal
 */

/** @internal */
export const EventTargetBase: typeof EventTarget = EventTarget

/** @internal */
export const EventBase: typeof Event = Event

const NO_PORTS: readonly never[] = Object.freeze([])

class NodeMessageEvent extends Event {
  // Own data properties shadow MessageEvent.prototype's accessors, which expect Node's
  // internal slots.
  readonly data: string
  readonly origin: string
  readonly lastEventId: string
  readonly source = null
  readonly ports = NO_PORTS

  constructor(type: string, init: { data: string; origin: string; lastEventId: string }) {
    super(type)
    this.data = init.data
    this.origin = init.origin
    this.lastEventId = init.lastEventId
  }
}
Object.setPrototypeOf(NodeMessageEvent.prototype, MessageEvent.prototype)

/** @internal */
export function newMessageEvent(
  type: string,
  init: { data: string; origin: string; lastEventId: string },
): MessageEvent<string> {
  return new NodeMessageEvent(type, init) as unknown as MessageEvent<string>
}
