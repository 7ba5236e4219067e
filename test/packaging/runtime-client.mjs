// Runs in another JavaScript runtime (Bun, Deno; Node too) for test/runtimes.test.ts. Arguments:
// what to import (a build's file URL, or the package's name, which resolves by self-reference as
// it would from a consumer's node_modules), and the URL of a stream that sends `retry: 10`, event
// `first` with id 1 and ends, then, on the reconnect, event `second` with id 2. Prints one JSON
// line with what it saw, then closes the source: the process must exit by itself.
const [specifier, url] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2)
const runtime = globalThis.Deno
  ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${globalThis.Bun.version}`
    : `node ${process.version}`

// Progress goes to stderr as it happens, so a run that never exits shows how far it got.
const started = Date.now()
const note = (line) => console.error(`${Date.now() - started} ms: ${line}`)
note(`importing ${specifier}`)
const { EventSource } = await import(specifier)
const log = []
log.push = (...lines) => {
  for (const line of lines) note(line)
  return Array.prototype.push.apply(log, lines)
}
const finish = (outcome) => {
  clearTimeout(timer)
  source.close()
  log.push(`closed ${source.readyState}`)
  const { isomorphic } = EventSource
  const resolved = import.meta.resolve(specifier)
  console.log(JSON.stringify({ runtime, resolved, outcome, isomorphic, url: source.url, log }))
}
const source = new EventSource(url)
const timer = setTimeout(() => finish('timed out'), 10_000)
log.push(`constructed ${source.readyState}`)
source.onopen = () => log.push(`open ${source.readyState}`)
source.onerror = () => log.push(`error ${source.readyState}`)
source.onmessage = (event) => {
  log.push(`message ${event.data} id=${event.lastEventId} origin=${event.origin}`)
  if (event.data === 'second') finish(`done, lastEventId ${source.lastEventId}`)
}
