// A consumer's ESM script for the W3C-only tier (copied into a temp project that installed the
// packed tarball): imports isomorphic-eventsource/standard by name, receives one event from the
// URL in argv[2], closes, prints what it saw. The process must then exit by itself.
import { EventSource } from 'isomorphic-eventsource/standard'

const source = new EventSource(process.argv[2])
const seen = {
  entry: import.meta.resolve('isomorphic-eventsource/standard'),
  states: [source.readyState],
}
source.onopen = () => seen.states.push(source.readyState)
source.onerror = () => seen.states.push(`error ${source.readyState}`)
source.onmessage = (event) => {
  source.close()
  seen.states.push(source.readyState)
  const { data, lastEventId, origin } = event
  console.log(
    JSON.stringify({
      ...seen,
      data,
      lastEventId,
      origin,
      isomorphic: EventSource.isomorphic,
      supportedOptions: EventSource.supportedOptions,
    }),
  )
}
