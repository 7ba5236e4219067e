/**
 * Baseline: the `fetch` of the undici package (7.x, the one our Node build and undici's
 * EventSource use), reading and counting body bytes only. Comparing it with the global-fetch
 * baseline separates "undici 7 vs Node's bundled undici" from "our parsing and dispatch".
 */
import { fetch } from 'undici'
import { createDataSplitter } from '../lib/scan.mjs'
import { readBody } from './read-body.mjs'

export default {
  countsBytes: true,
  open(url, sink) {
    return readBody(fetch, url, sink, createDataSplitter)
  },
}
