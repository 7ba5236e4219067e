/** This repository's EventSource, from the Node build (`npm run build` writes `dist/node.js`). */
import { EventSource } from '../../dist/node.js'
import { openWhatwg } from './whatwg.mjs'

export default {
  open: (url, sink, options) => openWhatwg(EventSource, url, sink, options),
}
