/**
 * The few statistics the report needs. Medians rather than means everywhere: on a shared 2-core
 * machine a single disturbed repetition is common, and it should not move the headline figure.
 */

/** Nearest-rank percentile of an ascending array (`p` in 0..100); NaN when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/** Median of any numbers (the mean of the middle two for an even count); NaN when empty. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** `{ median, min, max, n }` of the finite values; null when there are none. */
export function summarize(values) {
  const finite = values.filter((value) => Number.isFinite(value))
  if (finite.length === 0) return null
  return {
    median: median(finite),
    min: Math.min(...finite),
    max: Math.max(...finite),
    n: finite.length,
  }
}
