/**
 * The Node build's events and dispatch (see node.ts). Node's `Event` constructor reads the clock
 * (`performance.now()`, about 40 ns) and sets up private fields, and its `EventTarget` takes a
 * general path through every dispatch: at 16-byte events the two were over half of the CPU
 * (bench/PROFILE.md). The events a source fires (message events by the million, and `open` and
 * `error`) skip both:
 *
 * - {@link SourceEvent} is an `Event` by prototype, {@link SourceMessageEvent} also a
 *   `MessageEvent` (`instanceof`, `toStringTag`, `constructor` as native), but neither runs
 *   Node's constructor. Their members are their own, since Node's accessors need Node's slots.
 * - {@link ListenerList} keeps each source's own copy of its listener list and dispatches these
 *   events from it with the DOM's rules: capture listeners first at the target, registration
 *   order, `once`, `signal`, `handleEvent` objects looked up at dispatch, listeners added during
 *   a dispatch waiting for the next one, removed ones skipped, `stopPropagation` and
 *   `stopImmediatePropagation`, and errors reported (as Node does: `uncaughtException`, the
 *   rest of the listeners still called). Node's own `EventTarget` differs from the DOM on
 *   several of these. Every listener is also registered with Node's list, so an event a user
 *   dispatches goes through Node's `dispatchEvent` unchanged.
 *
 * test/dom-node.test.ts runs the same listener scenarios through a source and through Node's
 * `EventTarget` with real events, and checks ours against the DOM's answers.
 * @internal
 */

import type { ListenerList as ListenerListLike, Platform } from './platform.js'

type Callback = EventListenerOrEventListenerObject

/** The registrations for one type, and how many of them are capture listeners. */
interface TypeListeners {
  readonly all: readonly Registration[]
  readonly capturing: number
}

interface Registration {
  readonly callback: Callback
  readonly capture: boolean
  readonly once: boolean
  /** What Node's list holds: the callback itself, or for `once` a wrapper that also drops this. */
  readonly registered: Callback
  removed: boolean
}

const AT_TARGET = 2
const DISPATCHING = 1
const STOP_PROPAGATION = 2
const STOP_IMMEDIATE_PROPAGATION = 4
const NO_PORTS: readonly never[] = Object.freeze([])
const INSPECT = Symbol.for('nodejs.util.inspect.custom')
type Inspect = (value: unknown, options: object) => string

/**
 * One clock reading per synchronous run: the events parsed from one chunk share the time that
 * chunk was interpreted, which spares a clock call per event. (Node's own events read it each.)
 */
let sharedTimeStamp: number | undefined
const clearTimeStamp = (): void => {
  sharedTimeStamp = undefined
}
function timeStampNow(): number {
  if (sharedTimeStamp === undefined) {
    sharedTimeStamp = performance.now()
    queueMicrotask(clearTimeStamp)
  }
  return sharedTimeStamp
}

/**
/**
 * Node's `dispatchEvent` keeps its state in the event under symbols of its own: the target, and
 * whether the event is being dispatched (its recursion check), and a stop flag. Found once on a
 * real event, they are accessors of {@link SourceEvent}'s own fields, so that an event
 * re-dispatched on a plain `EventTarget` has that target (and `currentTarget`, `eventPhase`)
 * there, and one re-dispatched during its own dispatch is refused, as the DOM says. A Node that
 * names them otherwise gets unused symbols: its dispatch then works as before, with the source
 * as `target`.
 */
const nodeSymbol = (() => {
  const probe = new Event('probe')
  probe.stopImmediatePropagation()
  const symbols = Object.getOwnPropertySymbols(probe)
  return (description: string): symbol =>
    symbols.find((symbol) => symbol.description === description) ?? Symbol(description)
})()
const NODE_TARGET = nodeSymbol('kTarget')
const NODE_DISPATCHING = nodeSymbol('kIsBeingDispatched')
const NODE_STOP = nodeSymbol('kStop')

/**
 * An event a source fires (`open`, `error`, and the base of message events), as Node's `Event`
 * presents it, built with plain fields: an `Event` by prototype, never by Node's constructor.
 * Not cancelable, not bubbling, not trusted (script cannot make trusted events). A source's
 * {@link ListenerList} dispatches it; Node's `EventTarget` can too (see `nodeSymbol`).
 * @internal
 */
class SourceEvent {
  readonly #type: string
  readonly #timeStamp = timeStampNow()
  #target: EventTarget | null = null
  /** DISPATCHING, STOP_PROPAGATION and STOP_IMMEDIATE_PROPAGATION bits: one field, a smaller event. */
  #flags = 0

  // The init dictionary is accepted for `typeof Event`'s sake; a source's events set none of it.
  constructor(type: string, _init?: EventInit) {
    this.#type = `${type}`
  }

  // Node's dispatch state, mapped onto ours (see nodeSymbol).
  get [NODE_TARGET](): EventTarget | null {
    return this.#target
  }
  set [NODE_TARGET](target: EventTarget | null) {
    this.#target = target
  }
  get [NODE_DISPATCHING](): boolean {
    return (this.#flags & DISPATCHING) !== 0
  }
  set [NODE_DISPATCHING](dispatching: boolean) {
    if (dispatching) this.#flags |= DISPATCHING
    else this.#flags &= ~DISPATCHING
  }
  get [NODE_STOP](): boolean {
    return (this.#flags & STOP_IMMEDIATE_PROPAGATION) !== 0
  }

  static isSourceEvent(value: unknown): value is SourceEvent {
    return typeof value === 'object' && value !== null && #type in value
  }

  /**
   * The target phase of [DOM] "dispatch": "invoke" with "capturing", then with "bubbling", each
   * pass over the listener list as it is when the pass starts.
   */
  static dispatch(event: SourceEvent, target: EventTarget, list: ListenerList): void {
    const type = event.#type
    event.#target = target
    const listeners = list.listeners(type)
    if (listeners === undefined) return
    event.#flags |= DISPATCHING
    try {
      // Without capture listeners the capturing pass would call nobody and change nothing.
      if (listeners.capturing > 0) {
        event.#invoke(target, list, listeners.all, true)
        event.#invoke(target, list, list.listeners(type)?.all, false)
      } else {
        event.#invoke(target, list, listeners.all, false)
      }
    } finally {
      event.#flags &= ~DISPATCHING
    }
  }

  /** [DOM] "invoke" and "inner invoke", for one of the two passes. */
  #invoke(
    target: EventTarget,
    list: ListenerList,
    listeners: readonly Registration[] | undefined,
    capture: boolean,
  ): void {
    if (listeners === undefined || (this.#flags & STOP_PROPAGATION) !== 0) return
    for (let i = 0; i < listeners.length; i++) {
      const registration = listeners[i] as Registration
      if (registration.capture !== capture || registration.removed) continue
      if (registration.once) list.drop(this.#type, registration)
      invoke(registration.callback, target, this)
      if ((this.#flags & STOP_IMMEDIATE_PROPAGATION) !== 0) return
    }
  }

  get type(): string {
    return this.#type
  }
  get target(): EventTarget | null {
    return this.#target
  }
  get srcElement(): EventTarget | null {
    return this.#target
  }
  get currentTarget(): EventTarget | null {
    return (this.#flags & DISPATCHING) !== 0 ? this.#target : null
  }
  get eventPhase(): number {
    return (this.#flags & DISPATCHING) !== 0 ? AT_TARGET : 0
  }
  get timeStamp(): number {
    return this.#timeStamp
  }
  get bubbles(): boolean {
    return false
  }
  get cancelable(): boolean {
    return false
  }
  get composed(): boolean {
    return false
  }
  get isTrusted(): boolean {
    return false
  }
  get defaultPrevented(): boolean {
    return false
  }
  get returnValue(): boolean {
    return true
  }
  set returnValue(_value: boolean) {
    // Not cancelable: setting it to false cancels nothing.
  }
  get cancelBubble(): boolean {
    return (this.#flags & STOP_PROPAGATION) !== 0
  }
  set cancelBubble(value: boolean) {
    if (value) this.#flags |= STOP_PROPAGATION
  }
  composedPath(): EventTarget[] {
    return (this.#flags & DISPATCHING) !== 0 && this.#target !== null ? [this.#target] : []
  }
  stopPropagation(): void {
    this.#flags |= STOP_PROPAGATION
  }
  stopImmediatePropagation(): void {
    this.#flags |= STOP_PROPAGATION | STOP_IMMEDIATE_PROPAGATION
  }
  preventDefault(): void {
    // Not cancelable: nothing to prevent.
  }
  initEvent(): void {
    // Legacy, and the event is dispatched as soon as it is made: nothing left to initialise.
  }

  /** What `console.log(event)` shows, in the shape of Node's own events. */
  [INSPECT](depth: number, options: object, inspect: Inspect): string {
    const name = this.constructor.name
    if (depth < 0) return name
    const fields = Object.assign({ type: this.type }, this, this.inspected())
    return `${name} ${inspect({ ...fields, timeStamp: this.timeStamp }, options)}`
  }

  /** More fields for the inspector, where they are accessors rather than own properties. */
  protected inspected(): object {
    return {}
  }
}
Object.setPrototypeOf(SourceEvent.prototype, Event.prototype)

/**
 * A message event as Node's `MessageEvent` presents it: a {@link SourceEvent} that is also
 * `instanceof MessageEvent`, whose `constructor` is `MessageEvent`.
 * @internal
 */
class SourceMessageEvent extends SourceEvent {
  readonly #data: string
  readonly #origin: string
  readonly #lastEventId: string

  constructor(type: string, data: string, origin: string, lastEventId: string) {
    super(type)
    this.#data = data
    this.#origin = origin
    this.#lastEventId = lastEventId
  }

  get data(): string {
    return this.#data
  }
  get origin(): string {
    return this.#origin
  }
  get lastEventId(): string {
    return this.#lastEventId
  }
  get source(): null {
    return null
  }
  get ports(): readonly never[] {
    return NO_PORTS
  }
  initMessageEvent(): void {
    // As initEvent.
  }

  protected override inspected(): object {
    return { data: this.#data, origin: this.#origin, lastEventId: this.#lastEventId }
  }
}
// The chain must pass through MessageEvent.prototype (instanceof, toStringTag), so the base's
// members are copied in front of it: they shadow Node's accessors, which need Node's slots.
for (const key of Reflect.ownKeys(SourceEvent.prototype)) {
  if (key === 'constructor' || Object.hasOwn(SourceMessageEvent.prototype, key)) continue
  const descriptor = Object.getOwnPropertyDescriptor(SourceEvent.prototype, key)
  if (descriptor !== undefined) Object.defineProperty(SourceMessageEvent.prototype, key, descriptor)
}
Object.setPrototypeOf(SourceMessageEvent.prototype, MessageEvent.prototype)
Object.defineProperty(SourceMessageEvent.prototype, 'constructor', {
  value: MessageEvent,
  writable: true,
  configurable: true,
})

/** Calls one listener as [DOM] "inner invoke" does, reporting what it throws or rejects with. */
function invoke(callback: Callback, target: EventTarget, event: unknown): void {
  try {
    const result: unknown =
      typeof callback === 'function'
        ? callback.call(target, event as Event)
        : callHandleEvent(callback, event as Event)
    if (
      result !== undefined &&
      typeof (result as PromiseLike<unknown> | null)?.then === 'function'
    ) {
      ;(result as PromiseLike<unknown>).then(undefined, report)
    }
  } catch (error) {
    report(error)
  }
}

function callHandleEvent(listener: EventListenerObject, event: Event): unknown {
  const handleEvent: unknown = listener.handleEvent
  if (typeof handleEvent !== 'function') throw new TypeError('handleEvent is not a function')
  return handleEvent.call(listener, event)
}

// Node's EventTarget reports a listener's error as an uncaught exception on a later tick.
function report(error: unknown): void {
  process.nextTick(() => {
    throw error
  })
}

/** The options dictionary, when `options` is one (a boolean is `capture` alone). */
function dictionary<T extends object>(options: boolean | T | null | undefined): T | undefined {
  return typeof options === 'object' && options !== null ? options : undefined
}

function captureOf(options: boolean | EventListenerOptions | undefined): boolean {
  return typeof options === 'boolean' ? options : Boolean(dictionary(options)?.capture)
}

const nativeAdd = EventTarget.prototype.addEventListener
const nativeRemove = EventTarget.prototype.removeEventListener
const nativeDispatch = EventTarget.prototype.dispatchEvent

/**
 * The listener list of one source: see the module comment. The source's `addEventListener`,
 * `removeEventListener` and `dispatchEvent` come here; the source stays a direct `EventTarget`
 * subclass, as WebIDL shapes it.
 * @internal
 */
export class ListenerList implements ListenerListLike {
  readonly #target: EventTarget
  /** Per type; replaced, never changed in place, on add and remove: a dispatch walks the list it started with. */
  readonly #byType = new Map<string, TypeListeners>()
  #lastType: string | undefined
  #lastListeners: TypeListeners | undefined

  constructor(target: EventTarget) {
    this.#target = target
  }

  add(type: string, callback: Callback | null, options?: boolean | AddEventListenerOptions): void {
    const target = this.#target
    if (callback === null || callback === undefined) return
    if (typeof callback !== 'function' && typeof callback !== 'object') {
      // Node's own check throws, with its message.
      nativeAdd.call(target, type, callback, options)
      return
    }
    const key = `${type}`
    const capture = captureOf(options)
    const once = Boolean(dictionary(options)?.once)
    const list = this.#byType.get(key)?.all ?? []
    if (list.some((entry) => entry.callback === callback && entry.capture === capture)) return
    const registration: Registration = {
      callback,
      capture,
      once,
      removed: false,
      registered: once
        ? (event: Event) => {
            this.drop(key, registration)
            invoke(callback, target, event)
          }
        : callback,
    }
    // Node validates the options (a `signal` that is not an AbortSignal throws) and ignores an
    // aborted signal: registered there first, it is registered here only if Node took it.
    nativeAdd.call(target, key, registration.registered, options)
    const signal = dictionary(options)?.signal
    if (signal?.aborted) return
    this.#set(key, [...list, registration])
    signal?.addEventListener('abort', () => this.drop(key, registration), { once: true })
  }

  remove(type: string, callback: Callback | null, options?: boolean | EventListenerOptions): void {
    const key = `${type}`
    const capture = captureOf(options)
    const registration = this.#byType
      .get(key)
      ?.all.find((entry) => entry.callback === callback && entry.capture === capture)
    if (registration !== undefined) this.drop(key, registration)
  }

  dispatch(event: Event): boolean {
    if (!SourceEvent.isSourceEvent(event)) return nativeDispatch.call(this.#target, event)
    SourceEvent.dispatch(event, this.#target, this)
    return true
  }

  /** The registrations for `type`, as they are now. */
  listeners(type: string): TypeListeners | undefined {
    // Most streams carry one type: remember the last lookup (reset whenever a list changes).
    if (type === this.#lastType) return this.#lastListeners
    const listeners = this.#byType.get(type)
    this.#lastType = type
    this.#lastListeners = listeners
    return listeners
  }

  #set(type: string, all: readonly Registration[]): void {
    this.#lastType = undefined
    if (all.length === 0) this.#byType.delete(type)
    else this.#byType.set(type, { all, capturing: all.filter((entry) => entry.capture).length })
  }

  /** Removes a registration from both lists ([DOM] "remove an event listener": set removed). */
  drop(type: string, registration: Registration): void {
    if (registration.removed) return
    registration.removed = true
    this.#set(
      type,
      (this.#byType.get(type)?.all ?? []).filter((entry) => entry !== registration),
    )
    nativeRemove.call(this.#target, type, registration.registered, {
      capture: registration.capture,
    })
  }
}

/** @internal A list per source: Node's dispatch is bypassed for the events a source fires. */
export function createListenerList(target: EventTarget): ListenerListLike {
  return new ListenerList(target)
}

/** @internal The base of the `open` and `error` events: dispatched by the source's list too. */
const SourceEventBase: typeof Event = SourceEvent as unknown as typeof Event

export { SourceEventBase as SourceEvent }

/** @internal */
export const newMessageEvent: Platform['newMessageEvent'] = (type, data, origin, lastEventId) =>
  new SourceMessageEvent(type, data, origin, lastEventId) as unknown as MessageEvent<string>
