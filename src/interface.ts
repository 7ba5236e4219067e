/**
 * The parts of the W3C interface both tiers' classes share (event-source.ts, the full one, and
 * standard-event-source.ts, the W3C one): the event handler attributes and the WebIDL shape of
 * the class. Kept out of the classes so each tier's class is a thin shell over the same code.
 */
import { CLOSED, CONNECTING, OPEN } from './core/connection.js'
import type { ListenerList } from './platform/platform.js'

/** The names of the handler attributes: `onopen`, `onmessage`, `onerror`. @internal */
export type HandlerName = 'open' | 'message' | 'error'

/** A source's event handler attributes. @internal */
export interface HandlerAttributes {
  get(name: HandlerName): unknown
  set(name: HandlerName, value: unknown): void
}

interface HandlerSlot {
  value: object | null
  /** Registered when the attribute first becomes non-null: that fixes its place in the list. */
  listener: ((event: Event) => void) | undefined
}

/**
 * HTML's event handler attributes on `target`: the first non-null value adds a listener at the
 * current end of the list; later values reuse that place; null removes it. A value that is not
 * an object is null ([LegacyTreatNonObjectAsNull]).
 * @internal
 */
export function createHandlerAttributes(
  target: EventTarget,
  listeners: ListenerList,
): HandlerAttributes {
  const slots: Partial<Record<HandlerName, HandlerSlot>> = {}
  return {
    get: (name) => slots[name]?.value ?? null,
    set(name, value) {
      slots[name] ??= { value: null, listener: undefined }
      const slot = slots[name]
      slot.value =
        (typeof value === 'object' || typeof value === 'function') && value !== null ? value : null
      if (slot.value === null) {
        if (slot.listener !== undefined) listeners.remove(name, slot.listener)
        slot.listener = undefined
        return
      }
      if (slot.listener !== undefined) return
      slot.listener = (event) => {
        const callback = slot.value
        if (typeof callback !== 'function') return
        // [HTML] "process return value": false cancels the event.
        if (callback.call(target, event) === false) event.preventDefault()
      }
      listeners.add(name, slot.listener)
    },
  }
}

/** The constructor's "1 argument required" TypeError, worded as browsers word it. @internal */
export function missingUrl(): TypeError {
  return new TypeError(
    "Failed to construct 'EventSource': 1 argument required, but only 0 present.",
  )
}

/**
 * WebIDL shape, which class syntax cannot express: constants are enumerable, read-only data
 * properties on both the constructor and the prototype; attributes and operations are
 * enumerable; `Object.prototype.toString` says `[object EventSource]`.
 * @internal
 */
export function defineInterfaceShape(Class: { readonly prototype: object }): void {
  const constants = {
    CONNECTING: { value: CONNECTING, enumerable: true },
    OPEN: { value: OPEN, enumerable: true },
    CLOSED: { value: CLOSED, enumerable: true },
  }
  Object.defineProperties(Class, constants)
  Object.defineProperties(Class.prototype, constants)
  for (const name of [
    'url',
    'withCredentials',
    'readyState',
    'onopen',
    'onmessage',
    'onerror',
    'close',
  ]) {
    Object.defineProperty(Class.prototype, name, { enumerable: true })
  }
  // Symbols exist everywhere but in IE 11, where the tag is simply absent.
  if (typeof Symbol === 'function') {
    Object.defineProperty(Class.prototype, Symbol.toStringTag, {
      value: 'EventSource',
      configurable: true,
    })
  }
}
