/** undici's own EventSource (the package, 7.x; Node 20 has no global EventSource). */
import { EventSource } from 'undici'
import { openWhatwg } from './whatwg.mjs'

export default {
  open: (url, sink) => openWhatwg(EventSource, url, sink),
}
