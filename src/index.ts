export { EventSourceError, isEventSourceError } from './errors.js'
export { type EventHandler, EventSource } from './event-source.js'
export { type ErrorReason, EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'
export { type InstallOptions, install } from './install.js'
export type {
  BodySource,
  BodyValue,
  ConnectContext,
  CredentialsMode,
  EventSourceOptions,
  FetchLike,
  HeadersSource,
  HeadersValue,
  ResponseHeadersLike,
  RetryContext,
  RetryOptions,
} from './options.js'
export type {
  EventSourceEventMap,
  EventSourceInit,
  EventSourceLike,
  EventSourceMessageEvent,
  Listener,
  ListenerOptions,
} from './types.js'
