// A consumer's CommonJS script loading the polyfill entry: it must install EventSource on the
// global object (Node has none), as the very class the main entry exports; then one event is
// received through the global from the URL in argv[2].
const before = typeof globalThis.EventSource
require('isomorphic-eventsource/polyfill')
const { EventSource } = require('isomorphic-eventsource')

const source = new globalThis.EventSource(process.argv[2])
const seen = {
  entry: require.resolve('isomorphic-eventsource/polyfill'),
  before,
  sameClass: globalThis.EventSource === EventSource,
  states: [source.readyState],
}
source.onopen = () => seen.states.push(source.readyState)
source.onerror = () => seen.states.push(`error ${source.readyState}`)
source.onmessage = (event) => {
  source.close()
  seen.states.push(source.readyState)
  const { data, lastEventId, origin } = event
  const isomorphic = globalThis.EventSource.isomorphic
  console.log(JSON.stringify({ ...seen, data, lastEventId, origin, isomorphic }))
}
