/**
 * `dom.ts` for the legacy `<script>` bundle: the platform's event classes where it can construct
 * them, stand-ins (`shims.ts`) where it cannot (IE 11, Safari before 14).
 * @internal
 */
import { EventShim, EventTargetShim, MessageEventShim } from './shims.js'
import { support } from './support.js'

/** @internal */
export const EventTargetBase: typeof EventTarget = support.eventTarget
  ? EventTarget
  : (EventTargetShim as unknown as typeof EventTarget)

/** @internal */
export const EventBase: typeof Event = support.event
  ? Event
  : (EventShim as unknown as typeof Event)

/** @internal */
export function newMessageEvent(
  type: string,
  data: string,
  origin: string,
  lastEventId: string,
): MessageEvent<string> {
  const init = { data, origin, lastEventId }
  return support.messageEvent
    ? new MessageEvent(type, init)
    : (new MessageEventShim(type, init) as unknown as MessageEvent<string>)
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
