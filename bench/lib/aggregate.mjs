/**
 * From per-round observations to the figures in the table. Ratios are taken round by round
 * (client ÷ reference in the same round) and only then summarised: when the machine is slow in
 * one round, client and reference are both slow in it and their ratio stays meaningful.
 */
import { summarize } from './stats.mjs'

/** Collects observations: one per client, metric and round. */
export function createObservations() {
  const byKey = new Map()
  const key = (clientId, metricId) => `${clientId}\u0000${metricId}`
  return {
    /** `outcome` is `{ value }`, `{ error }` or `{ unsupported }`. */
    add(clientId, metricId, round, outcome) {
      const list = byKey.get(key(clientId, metricId)) ?? []
      list.push({ round, ...outcome })
      byKey.set(key(clientId, metricId), list)
    },
    get: (clientId, metricId) => byKey.get(key(clientId, metricId)) ?? [],
  }
}

/**
 * `clients`: `{ id, label, kind, version }[]`; returns them with a `metrics` object:
 * `{ median, min, max, rounds, values, ratio: { median, min, max } | null, unsupported?, errors?,
 * notMeasured? }` (`notMeasured`: the measurement runs for other clients only).
 * `median` is null when no round produced a number.
 */
export function aggregate({ clients, metrics, observations, referenceId }) {
  return clients.map((client) => {
    const entries = {}
    for (const metric of metrics) {
      const list = observations.get(client.id, metric.id)
      // Against the reference client's figure, or the same client's own for `relativeTo`.
      const reference = new Map(
        (metric.relativeTo === undefined
          ? observations.get(referenceId, metric.id)
          : observations.get(client.id, metric.relativeTo)
        )
          .filter((entry) => Number.isFinite(entry.value))
          .map((entry) => [entry.round, entry.value]),
      )
      const values = list.filter((entry) => Number.isFinite(entry.value))
      const ratios = values
        .filter((entry) => reference.has(entry.round) && reference.get(entry.round) !== 0)
        .map((entry) => entry.value / reference.get(entry.round))
      const summary = summarize(values.map((entry) => entry.value))
      const ratio = summarize(ratios)
      const entry = {
        median: summary?.median ?? null,
        min: summary?.min ?? null,
        max: summary?.max ?? null,
        rounds: summary?.n ?? 0,
        values: values.map((item) => item.value),
        ratio: ratio && { median: ratio.median, min: ratio.min, max: ratio.max },
      }
      if (list.length > 0 && list.every((item) => item.notMeasured)) entry.notMeasured = true
      const unsupported = list.find((item) => item.unsupported)?.unsupported
      if (unsupported) entry.unsupported = unsupported
      const errors = list
        .filter((item) => item.error)
        .map((item) => `round ${item.round}: ${item.error}`)
      if (errors.length > 0) entry.errors = errors
      entries[metric.id] = entry
    }
    return { ...client, metrics: entries }
  })
}
