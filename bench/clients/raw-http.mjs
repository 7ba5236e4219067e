/**
 * Baseline: node:http with no SSE logic at all. It counts `\n\n` boundaries in the raw body
 * bytes, so it is the floor every SSE client is compared with: whatever a client costs beyond it
 * is decoding, parsing, event objects and dispatch (plus its HTTP stack, when not node:http).
 */
import http from 'node:http'
import { createBoundaryCounter, createDataSplitter } from '../lib/scan.mjs'

export default {
  open(url, sink) {
    const request = http.get(url, (response) => {
      sink.open()
      if (sink.wantData) {
        const split = createDataSplitter()
        response.on('data', (chunk) => {
          for (const data of split(chunk)) sink.message(data)
        })
      } else {
        const count = createBoundaryCounter()
        response.on('data', (chunk) => sink.messages(count(chunk)))
      }
      response.on('error', (error) => sink.error(error))
    })
    request.on('error', (error) => sink.error(error))
    return { close: () => request.destroy() }
  },
}
