/**
 * Baseline: the global fetch (Node's bundled undici) reading the body as bytes and counting them,
 * nothing else. It is the floor for the fetch-based clients (eventsource v4, eventsource-client,
 * fetch-event-source): their cost above it is their own. Events are derived from bytes (every
 * event has the same size); the latency test needs the timestamps, so there it splits events.
 */
import { createDataSplitter } from '../lib/scan.mjs'
import { readBody } from './read-body.mjs'

export default {
  countsBytes: true,
  open(url, sink) {
    return readBody(globalThis.fetch, url, sink, createDataSplitter)
  },
}
