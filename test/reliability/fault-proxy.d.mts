export const STREAM_FAULTS: readonly ['close', 'reset', 'stall', 'drip']
export const HTTP_FAULTS: readonly ['status5xx', 'status429', 'redirect']
export const FAULT_KINDS: readonly [
  'close',
  'reset',
  'stall',
  'drip',
  'status5xx',
  'status429',
  'redirect',
]
export type FaultKind = (typeof FAULT_KINDS)[number]

/** A seeded PRNG (mulberry32), uniform in [0, 1). */
export function seededRandom(seed: number): () => number

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly stats: {
    requests: number
    redirectsFollowed: number
    injected: Record<string, number>
    drippedBytes: number
    forwarded: number
  }
  /** Faults still in the budget. */
  readonly remaining: number
  close(): Promise<void>
}

/** A fault-injecting proxy on 127.0.0.1 in front of `target`. */
export function startFaultProxy(options: {
  target: { host: string; port: number }
  budget: number
  random: () => number
  events: number
  bytesPerEvent: number
  kinds?: readonly string[]
  drip?: { minBytes: number; maxBytes: number; intervalMs: number }
}): Promise<FaultProxy>
