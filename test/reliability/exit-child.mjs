// Child process for test/leaks.test.ts: opens one source, closes it in the state named on the
// command line, prints `closed`, and then must exit on its own (nothing keeps it alive).
// The parent times `closed` → 'exit'. Plain ESM.
//
//   node exit-child.mjs <state> <origin>
import diagnostics from 'node:diagnostics_channel'

const { EventSource } = await import(new URL('../../dist/node.js', import.meta.url).href)

const [state = '', origin = ''] = process.argv.slice(2)
const OPTIONS = { proxy: false }

let messages = 0
let closedAt = -1
const say = (line) => process.stdout.write(`${line}\n`)
const closeNow = (source) => {
  source.close()
  closedAt = messages
  say(`closed ${source.readyState}`)
}
// What happened after close(), read by the parent: no message may follow it.
process.on('exit', () => say(`messages ${messages} (closed after ${closedAt})`))

switch (state) {
  case 'connecting': {
    // The server never answers: close while the request, sent (node:http, or undici when a
    // dispatcher or proxy is set, reports it on a diagnostics channel), waits for its response.
    const source = new EventSource(`${origin}/hold`, OPTIONS)
    source.onopen = () => say('unexpected open')
    const channels = ['http.client.request.start', 'undici:client:sendHeaders']
    const sent = () => {
      for (const channel of channels) diagnostics.unsubscribe(channel, sent)
      setTimeout(() => closeNow(source), 20)
    }
    for (const channel of channels) diagnostics.subscribe(channel, sent)
    break
  }
  case 'open-mid-chunk': {
    // One chunk holds many events: close in the first message listener, the rest still parsed.
    const source = new EventSource(`${origin}/burst`, OPTIONS)
    source.addEventListener('message', () => {
      messages++
      if (messages === 1) closeNow(source)
    })
    break
  }
  case 'waiting-to-reconnect': {
    // The stream ends with `retry: 60000`: close while the reconnect timer is pending.
    const source = new EventSource(`${origin}/wait`, OPTIONS)
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) setTimeout(() => closeNow(source), 20)
    }
    break
  }
  case 'onopen': {
    const source = new EventSource(`${origin}/one`, OPTIONS)
    source.onopen = () => closeNow(source)
    break
  }
  case 'onmessage': {
    const source = new EventSource(`${origin}/one`, OPTIONS)
    source.onmessage = () => {
      messages++
      closeNow(source)
    }
    break
  }
  case 'onerror': {
    // Inside the error handler the reconnect timer (60 s) is already set.
    const source = new EventSource(`${origin}/wait`, OPTIONS)
    source.onerror = () => closeNow(source)
    break
  }
  case 'read-timeout-armed': {
    // OPEN with a read timer armed (readTimeout), closed from a timer, not a handler.
    const source = new EventSource(`${origin}/one`, { ...OPTIONS, readTimeout: 60_000 })
    source.onmessage = () => {
      messages++
      setTimeout(() => closeNow(source), 20)
    }
    break
  }
  case 'h2-open': {
    // Five sources multiplexed over one HTTP/2 session (test/http2.test.ts): closed once each
    // has its first event. The session must not keep the process alive.
    const https = await import('node:https')
    https.globalAgent.options.ca = process.env.EXIT_CHILD_CA
    const sources = Array.from({ length: 5 }, (_, i) => new EventSource(`${origin}/one?${i}`))
    let open = 0
    for (const source of sources) {
      source.onmessage = () => {
        messages++
        if (++open === sources.length) {
          for (const other of sources.slice(1)) other.close()
          closeNow(sources[0])
        }
      }
    }
    break
  }
  case 'h2-connecting': {
    // A stream whose response never comes, over HTTP/2: closed while it waits.
    const https = await import('node:https')
    https.globalAgent.options.ca = process.env.EXIT_CHILD_CA
    const source = new EventSource(`${origin}/hold`, OPTIONS)
    source.onopen = () => say('unexpected open')
    setTimeout(() => closeNow(source), 300)
    break
  }
  default:
    say(`unknown state ${state}`)
    process.exitCode = 2
}
