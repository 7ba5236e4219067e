/** launchdarkly-eventsource: a fork of eventsource v1, on node:http with its own line parser. */
import { EventSource } from 'launchdarkly-eventsource'
import { openWhatwg } from './whatwg.mjs'

export default {
  open: (url, sink) => openWhatwg(EventSource, url, sink),
}
