/**
 * The two modes. Full mode is sized for a 2-core machine shared with other work: every window is
 * short but long enough that its count is large (a 1 s window sees 10^5–10^6 small events), and
 * repetitions plus medians absorb the disturbances. Quick mode only proves the harness works.
 */
export const modes = {
  full: {
    reps: 5,
    // Opening 10,000 fetch connections takes ~10 s per client (undici's pool and GC), and the
    // per-connection figure moves by about 1 % between rounds: 3 rounds are enough.
    idleReps: 3,
    idleConnections: 10_000,
    idleBatch: 500,
    warmupMs: 300,
    windowMs: 1000,
    latencyRate: 1000,
    latencyMs: 2000,
    latencySkipMs: 300,
    timeoutMs: 60_000,
  },
  quick: {
    reps: 1,
    idleReps: 1,
    idleConnections: 100,
    idleBatch: 100,
    warmupMs: 50,
    windowMs: 150,
    latencyRate: 1000,
    latencyMs: 300,
    latencySkipMs: 50,
    timeoutMs: 30_000,
  },
}

/** The browser part: fewer knobs, same meaning. */
export const browserModes = {
  full: {
    reps: 5,
    warmupMs: 300,
    windowMs: 1000,
    latencyRate: 1000,
    latencyMs: 2000,
    latencySkipMs: 300,
    timeoutMs: 60_000,
  },
  quick: {
    reps: 1,
    warmupMs: 100,
    windowMs: 250,
    latencyRate: 1000,
    latencyMs: 500,
    latencySkipMs: 100,
    timeoutMs: 60_000,
  },
}
