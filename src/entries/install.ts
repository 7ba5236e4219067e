import { EventSource } from '../event-source.js'
import type { InstallOptions } from '../types.js'
import { installGlobal } from './global.js'

/**
 * Installs this library's `EventSource` as `globalThis.EventSource`: only where none exists,
 * unless `force` is set. Returns whether it installed. The installed class is recognisable by
 * `EventSource.isomorphic === true`.
 * @public
 */
export function install(options: InstallOptions = {}): boolean {
  return installGlobal(EventSource, options.force)
}
