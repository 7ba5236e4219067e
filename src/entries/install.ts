import { EventSource } from '../event-source.js'
import type { InstallOptions } from '../types.js'

/**
 * Installs this library's `EventSource` as `globalThis.EventSource`: only where none exists,
 * unless `force` is set. Returns whether it installed. The installed class is recognisable by
 * `EventSource.isomorphic === true`.
 * @public
 */
export function install(options: InstallOptions = {}): boolean {
  const scope = globalThis as { EventSource?: unknown }
  if (!options.force && typeof scope.EventSource === 'function') return false
  scope.EventSource = EventSource
  return true
}
