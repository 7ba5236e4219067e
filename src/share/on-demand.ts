/**
 * The `share` option in the modern build: the part in the main bundle, kept small. The sharing
 * itself (shared-connection.ts and what it uses) is dist/share.js, which the first shared source
 * loads, so a page that never sets `share` never downloads it.
 */
import type { SourceConnection } from '../core/extended-connection.js'
import { invalid } from '../core/options.js'
import type { ShareConnection } from '../platform/platform.js'

/**
 * Checks the option at once (a TypeError from the constructor); until the chunk has loaded, the
 * object returned stands in for the shared connection (CONNECTING, or CLOSED after close()),
 * then forwards to it.
 * @internal
 */
export const shareConnection: ShareConnection = (url, options, listener, open) => {
  const { share, headers, body } = options
  // The derived key covers a string body, not what a function or a Blob gives: the user names it.
  if (
    (share !== true && typeof share !== 'string') ||
    (share === true && (typeof headers === 'function' || (body && typeof body !== 'string')))
  )
    throw invalid(
      'share',
      'true, or a key name when "headers" is a function or "body" not a string',
      share,
    )
  let shared: SourceConnection | undefined
  let closed = false
  const start = (connection: SourceConnection) => {
    // One load wins: close() then reconnect() before the first load ends starts a second.
    if (closed || shared) return
    shared = connection
    connection.connect()
  }
  const load = () =>
    import('./shared-connection.js').then(
      (chunk) => start(chunk.share(url, options, listener, open)),
      // The chunk did not load (offline, a Content Security Policy): a connection of its own.
      () => start(open(listener)),
    )
  return {
    get readyState() {
      return shared ? shared.readyState : closed ? 2 : 0
    },
    get lastEventId() {
      return shared ? shared.lastEventId : options.lastEventId
    },
    connect: load,
    close() {
      closed = true
      shared?.close()
    },
    reconnect() {
      if (shared) shared.reconnect()
      else if (closed) {
        closed = false
        load()
      }
    },
  }
}
