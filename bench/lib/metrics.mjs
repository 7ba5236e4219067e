/**
 * What is measured: each measurement is one run of `measure.mjs` with one scenario, and yields
 * one or two metrics (latency gives p50 and p99, idle gives RSS and heap). Units and directions
 * here are the single source for the table headers and the JSON.
 */
import { wireSize } from './protocol.mjs'

/**
 * @typedef {{ id: string, label: string, unit: string, better: 'higher' | 'lower',
 *   relativeTo?: string }} Metric
 * `relativeTo`: the ratio is to the same client's figure for that metric in the same round
 * (compressed against uncompressed, HTTP/2 against HTTP/1.1), not to the reference client's.
 */

/** Table order. */
export const metrics = [
  { id: 'events16', label: '16 B events', unit: 'events/s', better: 'higher' },
  { id: 'mb1k', label: '1 KiB events', unit: 'MB/s', better: 'higher' },
  { id: 'mb64k', label: '64 KiB events', unit: 'MB/s', better: 'higher' },
  { id: 'latencyP50', label: 'latency p50', unit: 'ms', better: 'lower' },
  { id: 'latencyP99', label: 'latency p99', unit: 'ms', better: 'lower' },
  { id: 'gzip1k', label: 'gzip 1 KiB events', unit: 'MB/s', better: 'higher', relativeTo: 'mb1k' },
  {
    id: 'gzipP50',
    label: 'gzip latency p50',
    unit: 'ms',
    better: 'lower',
    relativeTo: 'latencyP50',
  },
  { id: 'idleRss', label: 'idle RSS', unit: 'KiB/conn', better: 'lower' },
  { id: 'idleHeap', label: 'idle heap', unit: 'KiB/conn', better: 'lower' },
  {
    id: 'idleTls',
    label: 'idle RSS, HTTPS/1.1',
    unit: 'KiB/conn',
    better: 'lower',
    relativeTo: 'idleRss',
  },
  {
    id: 'idleH2',
    label: 'idle RSS, h2',
    unit: 'KiB/source',
    better: 'lower',
    relativeTo: 'idleRss',
  },
  { id: 'firstEvent', label: 'first event', unit: 'ms', better: 'lower' },
]

/** The clients the measurements beyond the common ones run for (the others show "–"). */
const OURS_ONLY = ['ours']

function throughput(id, size, pick, query = '') {
  return {
    id,
    scenario: 'throughput',
    params: (origin, mode) => ({
      url: `${origin}/stream?size=${size}${query}`,
      size,
      wire: wireSize(size),
      warmupMs: mode.warmupMs,
      windowMs: mode.windowMs,
    }),
    metrics: { [id]: pick },
  }
}

/** Run order within a round: each measurement runs for every client before the next one starts. */
export const measurements = [
  throughput('events16', 16, (r) => r.eventsPerSecond),
  throughput('mb1k', 1024, (r) => r.megabytesPerSecond),
  throughput('mb64k', 65_536, (r) => r.megabytesPerSecond),
  // MB/s of the decoded stream, as for the uncompressed one.
  { ...throughput('gzip1k', 1024, (r) => r.megabytesPerSecond, '&gzip=1'), only: OURS_ONLY },
  {
    id: 'latency',
    scenario: 'latency',
    params: (origin, mode) => ({
      url: `${origin}/paced?rate=${mode.latencyRate}&durationMs=${mode.latencyMs}&clock=ns`,
      rate: mode.latencyRate,
      durationMs: mode.latencyMs,
      skipMs: mode.latencySkipMs,
    }),
    metrics: { latencyP50: (r) => r.p50, latencyP99: (r) => r.p99 },
  },
  {
    id: 'gzipLatency',
    scenario: 'latency',
    params: (origin, mode) => ({
      url: `${origin}/paced?rate=${mode.latencyRate}&durationMs=${mode.latencyMs}&clock=ns&gzip=1`,
      rate: mode.latencyRate,
      durationMs: mode.latencyMs,
      skipMs: mode.latencySkipMs,
    }),
    metrics: { gzipP50: (r) => r.p50 },
    only: OURS_ONLY,
  },
  {
    id: 'firstEvent',
    scenario: 'firstEvent',
    params: (origin) => ({ url: `${origin}/stream?size=16&count=1` }),
    metrics: { firstEvent: (r) => r.firstEventMs },
  },
  {
    id: 'idle',
    scenario: 'idle',
    // Its own server per measurement: a fresh port, so the 4-tuples of the thousands of
    // connections of the previous client (TIME_WAIT) never collide, and a clean server process.
    ownServer: true,
    params: (origin, mode) => ({
      url: `${origin}/idle`,
      n: mode.idleConnections,
      batch: mode.idleBatch,
    }),
    metrics: { idleRss: (r) => r.rssKiB, idleHeap: (r) => r.heapKiB },
  },
  // The same over TLS, against a node:http2 server that speaks both: HTTP/1.1 (one TLS
  // connection per source), then HTTP/2 (every source a stream of one session).
  idleOverTls('idleTls', { httpVersion: '1.1' }),
  idleOverTls('idleH2', {}),
]

function idleOverTls(id, options) {
  return {
    id,
    scenario: 'idle',
    ownServer: 'tls',
    params: (origin, mode, server) => ({
      url: `${origin}/idle`,
      n: mode.idleConnections,
      batch: mode.idleBatch,
      ca: server.ca,
      options,
    }),
    metrics: { [id]: (r) => r.rssKiB },
    only: OURS_ONLY,
  }
}
