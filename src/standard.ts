/**
 * `isomorphic-eventsource/standard`: exactly the W3C `EventSource`, none of the extensions.
 * @packageDocumentation
 */
export { EventSource, type StandardEventSourceEventMap } from './standard-event-source.js'
export type {
  EventHandler,
  EventSourceLike,
  EventSourceMessageEvent,
  Listener,
  ListenerOptions,
} from './types.js'
