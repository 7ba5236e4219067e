/**
 * The legacy bundle's event classes: the platform's where it can construct them, stand-ins
 * (`shims.ts`) where it cannot (IE 11, Safari before 14).
 * @internal
 */

import type { Platform } from './platform.js'
import { EventShim, EventTargetShim, MessageEventShim } from './shims.js'
import { support } from './support.js'

/** @internal */
export const SourceEventTarget: typeof EventTarget = support.eventTarget
  ? EventTarget
  : (EventTargetShim as unknown as typeof EventTarget)

/** @internal */
export const SourceEvent: typeof Event = support.event
  ? Event
  : (EventShim as unknown as typeof Event)

/** @internal */
export const newMessageEvent: Platform['newMessageEvent'] = (type, data, origin, lastEventId) => {
  const init = { data, origin, lastEventId }
  return support.messageEvent
    ? new MessageEvent(type, init)
    : (new MessageEventShim(type, init) as unknown as MessageEvent<string>)
}
