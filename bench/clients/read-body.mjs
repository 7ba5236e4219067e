/**
 * The shared loop of the two fetch baselines: request, report open, then read the body stream
 * and report byte counts (or, when the sink wants data, the data of each event).
 */
export function readBody(fetchImpl, url, sink, createDataSplitter) {
  const controller = new AbortController()
  const run = async () => {
    const response = await fetchImpl(url, { signal: controller.signal })
    sink.open()
    const reader = response.body.getReader()
    const split = sink.wantData ? createDataSplitter() : undefined
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      if (split === undefined) sink.bytes(value.byteLength)
      else for (const data of split(value)) sink.message(data)
    }
  }
  run().catch((error) => {
    if (!controller.signal.aborted) sink.error(error)
  })
  return { close: () => controller.abort() }
}
