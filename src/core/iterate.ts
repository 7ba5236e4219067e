import { EventSourceError } from '../errors.js'
import { EventSourceErrorEvent } from '../events.js'
import type { EventSourceLike, EventSourceMessageEvent, EventsOptions } from '../types.js'
import { checkNumber, invalid } from './options.js'

/** Subscribes to close() (which fires no event); returns the unsubscribe function. @internal */
export type OnClose = (callback: () => void) => () => void

/** Subscribes to every message event, whatever its type; returns the unsubscribe function. @internal */
export type OnAnyMessage = (callback: (event: EventSourceMessageEvent) => void) => () => void

/** Events a loop may fall behind by, by default. @internal */
export const DEFAULT_MAX_QUEUE = 10_000

/**
 * Turns a source's events into an async iterator. Events arriving faster than the loop takes
 * them wait in a queue of at most `maxQueue` (the stream cannot be slowed down, only dropped):
 * past it, the oldest is dropped (`overflow: 'drop-oldest'`) or the source is closed and the
 * loop, after the events already waiting, throws an `overflow` error. A failure waits behind
 * the queued events, and the end comes last.
 * @internal
 */
export function iterateEvents(
  source: EventSourceLike,
  onClose: OnClose,
  onAnyMessage: OnAnyMessage,
  types: readonly string[] | '*',
  options: EventsOptions = {},
): AsyncIterableIterator<EventSourceMessageEvent> {
  const maxQueue = checkNumber('events().maxQueue', options.maxQueue, [1]) ?? DEFAULT_MAX_QUEUE
  const { overflow = 'error' } = options
  if (overflow !== 'error' && overflow !== 'drop-oldest')
    throw invalid('events().overflow', '"error" or "drop-oldest"', overflow)
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
  const fail = (message: string, event: Event): void => {
    queue.push(new EventSourceError(message, event))
    finish()
  }
  const onMessage = (event: Event): void => {
    if (queue.length >= maxQueue) {
      if (overflow === 'drop-oldest') queue.shift()
      else {
        // Memory stays bounded: the loop gets what was waiting, then this error.
        const message = `The loop fell more than ${maxQueue} events behind (events() maxQueue)`
        source.close()
        fail(message, new EventSourceErrorEvent({ reason: 'overflow', message, willRetry: false }))
        return
      }
    }
    queue.push(event as EventSourceMessageEvent)
    settle()
  }
  const onError = (event: Event): void => {
    if (source.readyState !== source.CLOSED) return
    const { message } = event as Event & { message?: string }
    fail(message ?? 'The EventSource connection failed', event)
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
