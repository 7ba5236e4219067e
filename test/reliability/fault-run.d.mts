import type { EventSource } from 'isomorphic-eventsource'

/** The client options under test. */
export function clientOptions(readTimeout: number): {
  retry: { statuses: number[]; initialDelay: number }
  readTimeout: number
  proxy: false
}

export interface FaultFigures {
  seed: number
  events: number
  received: number
  lost: number
  duplicated: number
  outOfOrder: number
  corrupted: number
  faultBudget: number
  faults: number
  injected: Record<string, number>
  redirectsFollowed: number
  drippedBytes: number
  opens: number
  reconnects: number
  errors: Record<string, number>
  proxyRequests: number
  serverRequests: number
  serverAnomalies: string[]
  fatal: string | undefined
  timedOut: boolean
  seconds: number
}

/** One run: replaying server, fault proxy, one EventSource reading until it has every event. */
export function runFaultScenario(options: {
  EventSource: typeof EventSource
  events: number
  faults: number
  seed?: number
  readTimeout?: number
  timeoutMs: number
  kinds?: readonly string[]
}): Promise<FaultFigures>

/** The figures as a few readable lines. */
export function formatFigures(figures: FaultFigures): string
