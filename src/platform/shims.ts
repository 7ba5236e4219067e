/**
 * Minimal stand-ins for `EventTarget`, `Event` and `MessageEvent`, used only where the platform
 * cannot construct them (old browsers). They give the same API for what an EventSource does:
 * listeners in order, `once`, handler `this`, `preventDefault`, `stopImmediatePropagation`.
 * @internal
 */

type Listener = EventListenerOrEventListenerObject

interface Registration {
  listener: Listener
  once: boolean
  removed: boolean
}

/** @internal */
export class EventShim {
  readonly type: string
  readonly bubbles = false
  readonly cancelable: boolean
  readonly composed = false
  readonly isTrusted = false
  readonly timeStamp = Date.now()
  defaultPrevented = false
  target: unknown = null
  currentTarget: unknown = null
  eventPhase = 0
  /** @internal set by stopImmediatePropagation() */
  stopped = false

  constructor(type: string, init?: { cancelable?: boolean }) {
    this.type = String(type)
    this.cancelable = Boolean(init?.cancelable)
  }

  preventDefault(): void {
    if (this.cancelable) this.defaultPrevented = true
  }

  stopPropagation(): void {}

  stopImmediatePropagation(): void {
    this.stopped = true
  }
}

/** @internal */
export class MessageEventShim extends EventShim {
  readonly data: unknown
  readonly origin: string
  readonly lastEventId: string
  readonly source = null
  readonly ports: readonly unknown[] = []

  constructor(type: string, init: { data?: unknown; origin?: string; lastEventId?: string } = {}) {
    super(type)
    this.data = init.data ?? null
    this.origin = init.origin ?? ''
    this.lastEventId = init.lastEventId ?? ''
  }
}

/** @internal */
export class EventTargetShim {
  readonly #listeners: Record<string, Registration[]> = {}

  addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener === null || listener === undefined) return
    this.#listeners[type] ??= []
    const list = this.#listeners[type]
    for (const registration of list) if (registration.listener === listener) return
    const once = typeof options === 'object' && options !== null && Boolean(options.once)
    list.push({ listener, once, removed: false })
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const list = this.#listeners[type]
    if (list === undefined) return
    for (let i = 0; i < list.length; i++) {
      const registration = list[i] as Registration
      if (registration.listener === listener) {
        registration.removed = true
        list.splice(i, 1)
        return
      }
    }
  }

  dispatchEvent(event: Event): boolean {
    setEventField(event, 'target', this)
    setEventField(event, 'currentTarget', this)
    setEventField(event, 'eventPhase', 2)
    // A copy: listeners added during dispatch wait for the next event, removed ones are skipped.
    for (const registration of (this.#listeners[event.type] ?? []).slice()) {
      if (registration.removed) continue
      if (registration.once) this.removeEventListener(event.type, registration.listener)
      const { listener } = registration
      try {
        if (typeof listener === 'function') listener.call(this, event)
        else listener.handleEvent(event)
      } catch (error) {
        // As the platform does: report the error, keep dispatching.
        setTimeout(() => {
          throw error
        }, 0)
      }
      if ((event as unknown as EventShim).stopped) break
    }
    setEventField(event, 'currentTarget', null)
    setEventField(event, 'eventPhase', 0)
    return !event.defaultPrevented
  }
}

// Native events (where Event exists but EventTarget does not) have read-only accessors: an own
// data property shadows them.
function setEventField(event: Event, name: string, value: unknown): void {
  try {
    Object.defineProperty(event, name, { value, configurable: true, writable: true })
  } catch {
    // A frozen or exotic event: leave the field as it is.
  }
}
