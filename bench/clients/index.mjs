/**
 * The clients the benchmark knows, in table order: baselines first, then this repository, then
 * the peers. Names live here, not in the adapters, so the orchestrator can print a table without
 * importing any client (importing one can have side effects, such as the stubbed globals).
 *
 * Each `<id>.mjs` default-exports an adapter:
 * - `open(url, sink)` connects and returns `{ close() }`. It reports to the sink: `open()`,
 *   `message(data)` per event (baselines may report `messages(n)` or `bytes(n)` instead),
 *   `error(e)`, or `unsupported(reason)` when the client cannot run here at all. `sink.wantData`
 *   says whether the data is needed (latency) or only the count.
 * - `countsBytes: true` for baselines that only count body bytes (events = bytes / event size).
 *
 * Adapters are loaded by the measuring child process only: each measurement imports exactly one
 * client into a fresh process.
 */

/** `package` is the npm package whose version is shown (`'.'`: this repository, `null`: Node). */
export const clients = [
  { id: 'raw-http', label: 'raw node:http reader', kind: 'baseline', package: null },
  { id: 'fetch-bytes', label: 'global fetch(), bytes only', kind: 'baseline', package: null },
  {
    id: 'undici-fetch-bytes',
    label: 'undici fetch(), bytes only',
    kind: 'baseline',
    package: 'undici',
  },
  {
    id: 'parser-only',
    label: 'eventsource-parser on node:http, no events',
    kind: 'baseline',
    package: 'eventsource-parser',
  },
  { id: 'ours', label: 'isomorphic-eventsource (this repo)', kind: 'library', package: '.' },
  { id: 'eventsource-v4', label: 'eventsource', kind: 'library', package: 'eventsource-v4' },
  { id: 'undici', label: 'undici EventSource', kind: 'library', package: 'undici' },
  {
    id: 'launchdarkly',
    label: 'launchdarkly-eventsource',
    kind: 'library',
    package: 'launchdarkly-eventsource',
  },
  {
    id: 'eventsource-client',
    label: 'eventsource-client',
    kind: 'library',
    package: 'eventsource-client',
  },
  {
    id: 'fetch-event-source',
    label: '@microsoft/fetch-event-source',
    kind: 'library',
    package: '@microsoft/fetch-event-source',
  },
  {
    id: 'fetch-event-source-stubbed',
    label: '@microsoft/fetch-event-source, window/document stubbed †',
    kind: 'library',
    package: '@microsoft/fetch-event-source',
  },
]

/** The client every figure is divided by, measured in the same round. */
export const referenceId = 'raw-http'

export async function loadAdapter(id) {
  if (!clients.some((client) => client.id === id)) throw new RangeError(`unknown client ${id}`)
  const module = await import(`./${id}.mjs`)
  return module.default
}
