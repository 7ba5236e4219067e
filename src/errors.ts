/**
 * The `SyntaxError` a bad URL gets: a `DOMException` named "SyntaxError" where the platform has
 * `DOMException` (as the native constructor throws), a plain `SyntaxError` where it has not.
 * @internal
 */
export function createSyntaxError(message: string): Error {
  return typeof DOMException === 'function'
    ? new DOMException(message, 'SyntaxError')
    : new SyntaxError(message)
}

/**
 * Thrown out of a `for await` loop over a source whose connection failed (readyState `CLOSED`
 * after an `error` event); the event itself is `event`, its status `status`.
 * @public
 */
export class EventSourceError extends Error {
  /** Always `'EventSourceError'` (what `isEventSourceError` checks, across bundles). */
  override readonly name = 'EventSourceError'
  /** The HTTP status, when a response caused the failure. */
  declare readonly status: number | undefined
  /** The `error` event that ended the stream. */
  declare readonly event: Event

  constructor(message: string, event: Event & { status?: number | undefined; cause?: unknown }) {
    super(message, { cause: event.cause })
    this.status = event.status
    this.event = event
  }
}

/** Whether `value` is an {@link EventSourceError}, across bundles and realms. @public */
export function isEventSourceError(value: unknown): value is EventSourceError {
  // An error from another realm (an iframe, a vm context) is not `instanceof` this realm's
  // Error, but says it is an error to Object.prototype.toString.
  return (
    (value instanceof Error || Object.prototype.toString.call(value) === '[object Error]') &&
    (value as { name?: unknown }).name === 'EventSourceError'
  )
}
