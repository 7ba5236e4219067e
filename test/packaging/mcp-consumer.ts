/**
 * A TypeScript user of the Model Context Protocol SDK, only ever type-checked: with `eventsource`
 * resolved to ours (test/dropin.test.ts's fixture project; the root tsconfig maps it to our
 * source), the SDK's `eventSourceInit` takes our options and its `SseError` carries our error
 * event.
 */
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js'

export const transport = new SSEClientTransport(new URL('http://127.0.0.1:8080/sse'), {
  requestInit: { headers: { Authorization: 'Bearer token' } },
  eventSourceInit: {
    retry: { factor: 2, maxDelay: 30_000, jitter: 0.3, resetAfter: 30_000 },
    readTimeout: 45_000,
  },
})

transport.onerror = (error) => {
  if (!(error instanceof SseError)) return
  const status: number | undefined = error.event.code
  const next: number | undefined = error.event.willRetry ? error.event.delay : undefined
  console.log(status, error.event.message, error.event.reason, next)
}
