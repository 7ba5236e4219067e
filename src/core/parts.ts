/**
 * The full tier's connection parts: every extension step, from the modules that implement them.
 * The standard tier hands the connection `standardParts` (standard-parts.ts) instead, so a build
 * that never imports this file leaves hooks, backoff, the read timeout and the page's signals out.
 */
import type { ConnectionParts } from './connection.js'
import { pageIsHidden, watchPage } from './page-lifecycle.js'
import { watchReads } from './read-timeout.js'
import { HookError, prepareRequest, requestUrl } from './request.js'
import { decideRetry, parseRetryAfter, retriesStatus } from './retry.js'

/** @internal */
export const extensionParts: ConnectionParts = {
  requestUrl,
  prepareRequest,
  isHookError: (error) => error instanceof HookError,
  decideRetry,
  retriesStatus,
  parseRetryAfter,
  watchReads,
  watchPage,
  pageIsHidden,
}
