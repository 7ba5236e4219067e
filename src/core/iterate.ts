import { EventSourceError } from '../errors.js'
import type { EventSourceLike, EventSourceMessageEvent } from '../types.js'

/** Subscribes to close() (which fires no event); returns the unsubscribe function. @internal */
export type OnClose = (callback: () => void) => () => void

/** Subscribes to every message event, whatever its type; returns the unsubscribe function. @internal */
export type OnAnyMessage = (callback: (event: EventSourceMessageEvent) => void) => () => void

/**
 * Turns a source's events into an async iterator. Events arriving faster than the loop takes
 * them wait in an unbounded queue (the stream cannot be slowed down, only dropped); a failure
 * waits behind them, and the end comes last.
 * @internal
 */
export function iterateEvents(
  source: EventSourceLike,
  onClose: OnClose,
  onAnyMessage: OnAnyMessage,
  types: readonly string[] | '*',
): AsyncIterableIterator<EventSourceMessageEvent> {
  const queue: Array<EventSourceMessageEvent | EventSourceError> = []
  // next() calls not yet answered, oldest first: each gets its own item, in call order.
  const waiting: Array<
    [(result: IteratorResult<EventSourceMessageEvent>) => void, (error: unknown) => void]
  > = []
  let finished = false

  const settle = (): void => {
    while (waiting.length > 0 && (queue.length > 0 || finished)) {
      const [resolve, reject] = waiting.shift() as (typeof waiting)[number]
      const next = queue.shift()
      if (next instanceof EventSourceError) reject(next)
      else
        resolve(
          next === undefined ? { value: undefined, done: true } : { value: next, done: false },
        )
    }
  }
  const onMessage = (event: Event): void => {
    queue.push(event as EventSourceMessageEvent)
    settle()
  }
  const onError = (event: Event): void => {
    if (source.readyState !== source.CLOSED) return
    const { message } = event as Event & { message?: string }
    queue.push(new EventSourceError(message ?? 'The EventSource connection failed', event))
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
    next: () =>
      new Promise((resolve, reject) => {
        waiting.push([resolve, reject])
        settle()
      }),
    // Leaving the loop early (break, return, throw) closes the source.
    return() {
      source.close()
      finish()
      queue.length = 0
      return iterator.next()
    },
  } as AsyncIterableIterator<EventSourceMessageEvent>
  // Absent in IE 11 (no Symbol): there, call next() directly.
  if (typeof Symbol === 'function' && Symbol.asyncIterator !== undefined) {
    ;(iterator as unknown as Record<symbol, unknown>)[Symbol.asyncIterator] = () => iterator
  }
  return iterator
}
