/**
 * What the benchmark server sends, shared by the server, the harness and the clients so that a
 * byte count can be turned into an event count (and back) without parsing anything.
 *
 * Every event is a single `data:` line: `data: <payload>\n\n`. No `id:` or `event:` fields, so
 * every client does the same minimal work per event and no client is charged for a feature the
 * others skip.
 */

/** Bytes of framing around the payload: `data: ` (6) and the blank line `\n\n` (2). */
export const FRAMING_BYTES = 8

/** Size of one event on the wire (inside the HTTP chunked body), in bytes. */
export function wireSize(payloadBytes) {
  return payloadBytes + FRAMING_BYTES
}

/**
 * One encoded event with a payload of exactly `payloadBytes` printable ASCII bytes. The payload
 * cycles through letters so it is not a run of one byte (no client gets a lucky fast path).
 */
export function encodeEvent(payloadBytes) {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let payload = ''
  while (payload.length < payloadBytes) payload += letters
  return Buffer.from(`data: ${payload.slice(0, payloadBytes)}\n\n`, 'latin1')
}

/**
 * The clock the paced stream stamps its events with, in nanoseconds. `process.hrtime` is
 * CLOCK_MONOTONIC on Linux, one clock for every process of the machine, so a client process can
 * subtract a server timestamp from its own reading without any clock synchronisation.
 */
export function nowNs() {
  return process.hrtime.bigint()
}
