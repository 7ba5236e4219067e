/**
 * The page of browser-test/launchdarkly.test.ts (bundled by esbuild): LaunchDarkly's browser SDK
 * (launchdarkly-js-client-sdk, as published) with `useReport: true`, given our class the way its
 * documentation asks for a polyfill: `window.EventSourcePolyfill`. In the modern page that is the
 * ESM build; in the old-browser page (modern APIs deleted first) it is the `<script>` bundle's
 * `IsomorphicEventSource`, which also installed itself as `window.EventSource` (the SDK streams
 * only where `window.EventSource` exists). The SDK's other endpoints are the test's fake server.
 */
import { initialize } from 'launchdarkly-js-client-sdk'
import { EventSource } from '../../dist/index.js'

interface Report {
  changes: unknown[]
  value: unknown
  supportedMethod: unknown
  error?: string
}

const scope = globalThis as unknown as {
  EventSourcePolyfill?: unknown
  IsomorphicEventSource?: unknown
  __ld?: Report
}
scope.EventSourcePolyfill = scope.IsomorphicEventSource ?? EventSource

const report: Report = {
  changes: [],
  value: undefined,
  supportedMethod: (scope.EventSourcePolyfill as { supportedOptions?: { method?: unknown } })
    .supportedOptions?.method,
}
scope.__ld = report
const origin = location.origin
const silent = { debug() {}, info() {}, warn() {}, error() {} }
const client = initialize(
  'test-env',
  { kind: 'user', key: 'user-1' },
  {
    baseUrl: origin,
    streamUrl: origin,
    eventsUrl: origin,
    useReport: true,
    streaming: true,
    sendEvents: false,
    fetchGoals: false,
    diagnosticOptOut: true,
    logger: silent,
  },
)
client.on('change:flag-a', (current: unknown, previous: unknown) => {
  report.changes.push([current, previous])
  report.value = client.variation('flag-a', 'fallback')
})
client.waitForInitialization(10).catch((error: unknown) => {
  report.error = String(error)
})
