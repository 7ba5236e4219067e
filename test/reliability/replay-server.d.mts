/** The data of event `id` (single and multi-line, spaces, multi-byte text). */
export function dataFor(id: number): string
/** The wire form of event `id`. */
export function encodeEvent(id: number): string
/** Average encoded size of an event in bytes, over the first `count` ids. */
export function averageEventBytes(count?: number): number

export interface ReplayServer {
  readonly host: string
  readonly port: number
  readonly stats: {
    requests: number
    /** The Last-Event-ID of each request that got a stream (0 when absent). */
    resumedFrom: number[]
    anomalies: string[]
  }
  close(): Promise<void>
}

/** A server on 127.0.0.1 that replays events after the `Last-Event-ID` it receives. */
export function startReplayServer(options: {
  events: number
  retry?: number
  batch?: number
}): Promise<ReplayServer>
