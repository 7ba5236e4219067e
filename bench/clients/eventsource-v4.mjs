/** `eventsource` 4.x (installed under the alias `eventsource-v4`): a W3C class on global fetch. */
import { EventSource } from 'eventsource-v4'
import { openWhatwg } from './whatwg.mjs'

export default {
  open: (url, sink) => openWhatwg(EventSource, url, sink),
}
