export { install } from './entries/install.js'
export { EventSourceError, isEventSourceError } from './errors.js'
export { EventSource } from './event-source.js'
export {
  EventSourceErrorEvent,
  // The eventsource package's name for its error event class: `instanceof` holds for ours.
  EventSourceErrorEvent as ErrorEvent,
  EventSourceOpenEvent,
} from './events.js'
export type {
  AddEventListenerOptions,
  BodySource,
  BodyValue,
  ConnectContext,
  CredentialsMode,
  ErrorReason,
  EventHandler,
  EventListener,
  EventListenerObject,
  EventListenerOptions,
  EventListenerOrEventListenerObject,
  EventSourceEventMap,
  EventSourceFetchInit,
  EventSourceInit,
  EventSourceLike,
  EventSourceMessageEvent,
  EventSourceOptions,
  EventsOptions,
  FetchLike,
  FetchLikeResponse,
  HeadersSource,
  HeadersValue,
  InstallOptions,
  Listener,
  ListenerOptions,
  PlatformMessageEvent,
  ReaderLike,
  ResponseHeadersLike,
  RetryContext,
  RetryOptions,
} from './types.js'
