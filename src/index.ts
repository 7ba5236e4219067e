export { EventSource } from './event-source.js'
export type { EventSourceEventMap, EventSourceInit, EventSourceLike } from './types.js'
