import { EventSourceError } from './errors.js'
import type { EventSourceLike, EventSourceMessageEvent } from './types.js'

/** Subscribes to close() (which fires no event); returns the unsubscribe function. @internal */
export type OnClose = (callback: () => void) => () => void

/** Subscribes to every message event, whatever its type; returns the unsubscribe function. @internal */
export type OnAnyMessage = (callback: (event: EventSourceMessageEvent) => void) => () => void

/**
 * Turns a source's events into an async iterator. Events arriving faster than the loop takes
 * them wait in an unbounded queue (the stream cannot be slowed down, only dropped).
 * @internal
 */
export function iterateEvents(
  source: EventSourceLike,
  onClose: OnClose,
  onAnyMessage: OnAnyMessage,
  types: readonly string[] | '*',
): AsyncIterableIterator<EventSourceMessageEvent> {
  const queue: Array<EventSourceMessageEvent> = []
  let pending:
    | {
        resolve(result: IteratorResult<EventSourceMessageEvent>): void
        reject(error: unknown): void
      }
    | undefined
  let failure: EventSourceError | undefined
  let finished = false

  const settle = (): void => {
    if (pending === undefined) return
    const { resolve, reject } = pending
    if (queue.length > 0) {
      pending = undefined
      resolve({ value: queue.shift() as EventSourceMessageEvent, done: false })
    } else if (failure !== undefined) {
      pending = undefined
      reject(failure)
      failure = undefined
    } else if (finished) {
      pending = undefined
      resolve({ value: undefined, done: true })
    }
  }
  const onMessage = (event: Event): void => {
    queue.push(event as EventSourceMessageEvent)
    settle()
  }
  const onError = (event: Event): void => {
    if (source.readyState !== source.CLOSED) return
    const detail = event as Event & { message?: string }
    failure = new EventSourceError(detail.message ?? 'The EventSource connection failed', event)
    finish()
  }
  const named = types === '*' ? [] : types
  const stopAll = types === '*' ? onAnyMessage(onMessage) : undefined
  const finish = (): void => {
    if (finished) return
    finished = true
    stopAll?.()
    for (const type of named) source.removeEventListener(type, onMessage)
    source.removeEventListener('error', onError)
    stopWatchingClose()
    settle()
  }
  for (const type of named) source.addEventListener(type, onMessage)
  source.addEventListener('error', onError)
  const stopWatchingClose = onClose(finish)
  if (source.readyState === source.CLOSED) finish()

  const iterator = {
    next() {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject }
        settle()
      })
    },
    // Leaving the loop early (break, return, throw) closes the source.
    return() {
      source.close()
      finish()
      queue.length = 0
      return Promise.resolve({ value: undefined, done: true })
    },
  } as AsyncIterableIterator<EventSourceMessageEvent>
  // Absent in IE 11 (no Symbol): there, call next() directly.
  if (typeof Symbol === 'function' && Symbol.asyncIterator !== undefined) {
    ;(iterator as unknown as Record<symbol, unknown>)[Symbol.asyncIterator] = () => iterator
  }
  return iterator
}
