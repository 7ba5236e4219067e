/**
 * One adapter for every client with the W3C EventSource interface, so they are all driven by the
 * same few lines: `onmessage` reads `event.data` (the work any real handler does), and an `error`
 * is a failure of the run, since the benchmark server never ends a stream early.
 */
export function openWhatwg(EventSourceClass, url, sink, options) {
  const source =
    options === undefined ? new EventSourceClass(url) : new EventSourceClass(url, options)
  source.onopen = () => sink.open()
  source.onmessage = (event) => sink.message(event.data)
  source.onerror = (event) => {
    sink.error(new Error(`error event: ${event?.message ?? 'no message'}`))
  }
  return { close: () => source.close() }
}
