/**
 * Baseline: the floor for any client built on eventsource-parser, as ours is. node:http, the body
 * decoded with Buffer (as our Node build decodes it), then eventsource-parser, whose events go
 * straight to the sink: no event objects, no listeners, no EventSource state. The gap between
 * this and the raw reader is the parser's own cost; the gap between ours and this is ours.
 */
import http from 'node:http'
import { createParser } from 'eventsource-parser'

export default {
  open(url, sink) {
    const parser = createParser({ onEvent: (message) => sink.message(message.data) })
    const request = http.get(url, (response) => {
      sink.open()
      response.setEncoding('utf8')
      response.on('data', (text) => parser.feed(text))
      response.on('error', (error) => sink.error(error))
    })
    request.on('error', (error) => sink.error(error))
    return { close: () => request.destroy() }
  },
}
