/**
 * @microsoft/fetch-event-source, used as its README says (`fetchEventSource(url, { onmessage })`).
 * It is written for browsers: it reads `document` (page visibility) and `window` (fetch, timers)
 * without checking that they exist, so in Node 20 the call rejects with a ReferenceError. The
 * adapter reports that as "unsupported" with the actual error, instead of measuring something
 * else under its name. `fetch-event-source-stubbed.mjs` measures it with the globals stubbed.
 */
import { fetchEventSource } from '@microsoft/fetch-event-source'

export default {
  open(url, sink) {
    const controller = new AbortController()
    fetchEventSource(url, {
      signal: controller.signal,
      onopen: async () => sink.open(),
      onmessage: (message) => sink.message(message.data),
      onerror: (error) => {
        throw error // no retry: a failure ends the run
      },
    }).catch((error) => {
      if (error instanceof ReferenceError) {
        sink.unsupported(`does not run in Node ${process.version} as shipped: ${error.message}`)
      } else sink.error(error)
    })
    return { close: () => controller.abort() }
  },
}
