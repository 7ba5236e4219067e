import type { EventSource, EventSourceOptions } from 'isomorphic-eventsource'

/** The memory shapes: name → [prefix, unit repeated forever]. */
export const memoryShapes: Record<string, [string, string]>

/** The flood shape: complete events, for a slow `for await` loop. */
export const FLOOD: string

/** What the child measured; `crashed` when it died (out of memory). */
export interface ShapeResult {
  crashed?: true
  code?: number | null
  signal?: string | null
  stderr?: string
  baseline: number
  peak: number
  growth: number
  outcomes: Array<{ reason: string; message: string; readyState: number }>
  timedOut?: boolean
  /** FLOOD: events waiting for the loop when the source closed, or after 5 s. */
  waiting?: number
  closed?: boolean
}

export function startShapeServer(
  shape: string,
  total: number,
  pace?: number,
): Promise<{ url: string; close(): Promise<void> }>

export function measureShape(
  shape: string,
  options: {
    dist: string
    maxBufferSize?: number | undefined
    total: number
    sources?: number
    heapLimitMb?: number
    sampleMs?: number
  },
): Promise<ShapeResult>

/** The storm shapes: name → request handler. */
export const stormShapes: Record<string, unknown>

/** The backoff options of the probe. */
export const BACKOFF: NonNullable<Exclude<EventSourceOptions['retry'], false>>

export function countStorm(
  EventSourceClass: typeof EventSource,
  shape: string,
  options: EventSourceOptions,
  ms: number,
): Promise<{ requests: number; perSecond: number; delays: Array<number | undefined> }>
