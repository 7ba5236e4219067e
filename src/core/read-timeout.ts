import { setClampedTimeout } from './timers.js'

/** The `readTimeout` watchdog of one attempt. @internal */
export interface ReadWatchdog {
  /** `Date.now()` of the last sign of life (the response head, a chunk): the transport stamps it. */
  lastActivity: number
  /** Stops watching; idempotent. */
  stop(): void
}

/**
 * Starts a watchdog that calls `onTimeout` once no byte has arrived for `timeout` ms. It checks
 * idleness at most once per timeout period instead of re-arming a timer on every chunk.
 * @internal
 */
export function watchReads(timeout: number, onTimeout: () => void): ReadWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined
  const watchdog: ReadWatchdog = {
    lastActivity: Date.now(),
    stop: () => clearTimeout(timer),
  }
  const arm = (after: number, confirmations: number): void => {
    timer = setClampedTimeout(() => {
      const idle = Date.now() - watchdog.lastActivity
      if (idle < timeout) arm(timeout - idle, 0)
      // A timer can fire before bytes that arrived while the event loop was blocked (a long GC,
      // synchronous work) have been read: let two more turns of I/O run before calling the
      // connection dead.
      else if (confirmations < 2) arm(0, confirmations + 1)
      else onTimeout()
    }, after)
  }
  arm(timeout, 0)
  return watchdog
}
