/**
 * The seam for a source's own listener list. Browsers have none: their `EventTarget` dispatches
 * as the DOM says, and fast enough. The Node build's `dom.node.ts` has one (Node's `Event` and
 * `EventTarget` cost more per message event than the rest of its way to a listener).
 * @internal
 */

/** What a source's own listener list does for it. @internal */
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

/** No list: the platform's dispatch. @internal */
export function createListenerList(_target: EventTarget): ListenerListLike | undefined {
  return undefined
}
