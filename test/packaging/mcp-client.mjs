// The Model Context Protocol SDK's SSE client, run in a fixture project where `eventsource`
// resolves to our tarball through an npm `overrides` entry (test/dropin.test.ts copies it there).
// Against the SDK's SSE server at argv[2]: connect, list tools, call one, receive notifications,
// ride out a dropped stream, close. Prints one JSON line of what it saw, then must exit by itself.
import { createRequire } from 'node:module'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { ErrorEvent, EventSource } from 'eventsource'

const [url, token] = process.argv.slice(2)
const notes = []
const errors = []

/** Resolves when `condition` holds, polling every 10 ms; rejects after `ms`. */
async function until(what, condition, ms = 10_000) {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}; notes ${notes}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const text = (result) => result.content.map((part) => part.text).join('')

const transport = new SSEClientTransport(new URL(url), {
  // The SDK adds these headers to every request it makes, the stream's included.
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
  eventSourceInit: {
    // Our option (the eventsource package has none): reconnect after 200 ms, not 3 s.
    retry: { initialDelay: 200 },
    // A fetch of the user's: the SDK calls it with its own headers.
    fetch: (input, init) => {
      const headers = new Headers(init.headers)
      headers.set('X-Client', 'fixture')
      return fetch(input, { ...init, headers })
    },
  },
})
const client = new Client({ name: 'fixture', version: '1.0.0' })
client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => {
  notes.push(note.params.data)
})
client.onerror = (error) => {
  const event = error.event
  errors.push({
    name: error.name,
    message: error.message,
    code: error.code ?? null,
    errorEvent: event instanceof ErrorEvent,
    reason: event?.reason,
    willRetry: event?.willRetry,
    delay: event?.delay,
  })
}

await client.connect(transport)
// The SDK's own instance (a private field): made by the class `eventsource` resolved to.
const source = transport._eventSource
const seen = {
  resolved: {
    esm: import.meta.resolve('eventsource').replace(/^.*\/node_modules\//, ''),
    cjs: createRequire(import.meta.url)
      .resolve('eventsource')
      .replace(/^.*\/node_modules\//, ''),
  },
  ours: source instanceof EventSource && EventSource.isomorphic === true,
  marker: Symbol.for('eventsource.supports-fetch-override') in source.constructor,
}
seen.tools = (await client.listTools()).tools.map((tool) => tool.name)
seen.whoami = text(await client.callTool({ name: 'whoami' }))
seen.notify = text(await client.callTool({ name: 'notify' }))
await until('4 notifications', () => notes.length >= 5)

seen.drop = text(await client.callTool({ name: 'drop' }))
await until('the second session', () => notes.includes('connected 2'))
seen.afterDrop = text(await client.callTool({ name: 'whoami' }))
seen.stateBeforeClose = source.readyState

await client.close()
seen.stateAfterClose = source.readyState
seen.notes = notes
seen.errors = errors
console.log(JSON.stringify(seen))
