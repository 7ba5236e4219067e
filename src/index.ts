export { EventSourceError, isEventSourceError } from './errors.js'
export { type EventHandler, EventSource } from './event-source.js'
export {
  type ErrorReason,
  EventSourceErrorEvent,
  // The eventsource package's name for its error event class: `instanceof` holds for ours.
  EventSourceErrorEvent as ErrorEvent,
  EventSourceOpenEvent,
} from './events.js'
export { type InstallOptions, install } from './install.js'
export type {
  BodySource,
  BodyValue,
  ConnectContext,
  CredentialsMode,
  EventSourceOptions,
  HeadersSource,
  HeadersValue,
  ResponseHeadersLike,
  RetryContext,
  RetryOptions,
} from './options.js'
export type {
  AddEventListenerOptions,
  EventListener,
  EventListenerObject,
  EventListenerOptions,
  EventListenerOrEventListenerObject,
  EventSourceEventMap,
  EventSourceFetchInit,
  EventSourceInit,
  EventSourceLike,
  EventSourceMessageEvent,
  FetchLike,
  FetchLikeResponse,
  Listener,
  ListenerOptions,
  PlatformMessageEvent,
  ReaderLike,
} from './types.js'
