/**
 * The polyfill entry, `isomorphic-eventsource/polyfill`: importing it installs `EventSource` on
 * the global object where there is none. Call `install({ force: true })` to replace a native one.
 *
 * It imports the package by name, so it shares the one class the main entry exports (and, in
 * Node, the Node build) instead of bundling a second copy.
 */
import { install } from 'isomorphic-eventsource'

install()

export { EventSource, type InstallOptions, install } from 'isomorphic-eventsource'
