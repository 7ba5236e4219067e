import type { ListenerList } from './platform.js'

/**
 * The listener list of the modern and legacy builds: the base class's own `addEventListener`,
 * `removeEventListener` and `dispatchEvent`, called on the source directly, so a subclass that
 * overrides them is not consulted ([HTML] "fire an event" uses the platform's dispatch).
 * @internal
 */
export function domListeners(base: typeof EventTarget): (target: EventTarget) => ListenerList {
  const { addEventListener, removeEventListener, dispatchEvent } = base.prototype
  return (target) => ({
    add: (type, callback, options) => addEventListener.call(target, type, callback, options),
    remove: (type, callback, options) => removeEventListener.call(target, type, callback, options),
    dispatch: (event) => dispatchEvent.call(target, event),
  })
}
