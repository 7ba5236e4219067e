export { install } from './entries/install.js'
export { EventSourceError, isEventSourceError } from './errors.js'
export { EventSource } from './event-source.js'
export { EventSourceErrorEvent, EventSourceOpenEvent } from './events.js'
export type {
  BodySource,
  BodyValue,
  ConnectContext,
  CredentialsMode,
  ErrorReason,
  EventHandler,
  EventSourceEventMap,
  EventSourceInit,
  EventSourceLike,
  EventSourceMessageEvent,
  EventSourceOptions,
  EventsOptions,
  FetchLike,
  HeadersSource,
  HeadersValue,
  InstallOptions,
  Listener,
  ListenerOptions,
  ResponseHeadersLike,
  RetryContext,
  RetryOptions,
} from './types.js'
