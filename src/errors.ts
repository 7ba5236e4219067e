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
