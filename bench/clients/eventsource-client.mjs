/** eventsource-client: callback API (`onMessage`) on global fetch and eventsource-parser. */
import { createEventSource } from 'eventsource-client'

export default {
  open(url, sink) {
    const source = createEventSource({
      url,
      onConnect: () => sink.open(),
      onMessage: (message) => sink.message(message.data),
      // It reconnects on its own after a drop; for the benchmark a drop is a failure.
      onDisconnect: () => sink.error(new Error('disconnected')),
    })
    return { close: () => source.close() }
  },
}
