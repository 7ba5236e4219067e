/**
 * Listener scenarios run twice: on a source of the Node build (whose message events take the
 * library's own dispatch, src/platform/node-events.ts) and on a plain Node `EventTarget` dispatching real
 * `MessageEvent`s. Prints `{ name: { ours, node } }` as JSON: test/dom-node.test.ts compares
 * them. A separate process, since some scenarios throw out of listeners on purpose (reported as
 * uncaught exceptions, as Node reports them).
 *
 * Usage: node test/support/dispatch-scenarios.mjs <dist/node.js URL>
 */
import http from 'node:http'
import { inspect } from 'node:util'

const { EventSource } = await import(process.argv[2])

let log = []
process.on('uncaughtException', (error) => log.push(`reported ${error.message}`))

/** What a listener sees of the event and of its own call. */
function seen(label, target) {
  return function (event) {
    log.push(
      [
        label,
        event.data,
        event.type,
        event.eventPhase,
        event.target === target,
        event.currentTarget === target,
        event.composedPath().length,
        this === target || (this !== undefined && this !== globalThis && 'object-this'),
      ].join(' '),
    )
  }
}

const scenarios = {
  'order, duplicates and capture': (target) => {
    const a = seen('a', target)
    target.addEventListener('message', a)
    target.addEventListener('message', a)
    target.addEventListener('message', a, { capture: true })
    target.addEventListener('message', seen('b', target), true)
    target.addEventListener('message', { handleEvent: seen('object', target) })
    target.addEventListener('message', null)
    target.addEventListener('other', seen('other type', target))
  },
  'once, and removal by the same capture flag only': (target) => {
    target.addEventListener('message', seen('once', target), { once: true })
    const kept = seen('kept', target)
    target.addEventListener('message', kept)
    target.removeEventListener('message', kept, true)
    const removed = seen('removed', target)
    target.addEventListener('message', removed, true)
    target.removeEventListener('message', removed, { capture: true })
  },
  'listeners added or removed during a dispatch': (target) => {
    const late = seen('late', target)
    const victim = seen('victim', target)
    target.addEventListener('message', (event) => {
      log.push(`first ${event.data}`)
      if (event.data === '1') {
        target.addEventListener('message', late)
        target.removeEventListener('message', victim)
      }
    })
    target.addEventListener('message', victim)
  },
  'stopPropagation and stopImmediatePropagation': (target) => {
    target.addEventListener('message', (event) => {
      if (event.data === '1') event.stopPropagation()
      else event.stopImmediatePropagation()
      log.push(`cancelBubble ${event.cancelBubble}`)
    })
    target.addEventListener('message', seen('after', target))
  },
  'a signal removes the listener': (target) => {
    const controller = new AbortController()
    target.addEventListener(
      'message',
      (event) => {
        log.push(`signalled ${event.data}`)
        controller.abort()
      },
      { signal: controller.signal },
    )
    target.addEventListener('message', seen('unsignalled', target), { signal: AbortSignal.abort() })
    target.addEventListener('message', seen('plain', target))
  },
  'errors are reported and dispatch goes on': (target) => {
    target.addEventListener('message', (event) => {
      throw new Error(`thrown ${event.data}`)
    })
    target.addEventListener('message', {
      handleEvent(event) {
        throw new Error(`handleEvent ${event.data}`)
      },
    })
    target.addEventListener('message', async (event) => {
      throw new Error(`rejected ${event.data}`)
    })
    target.addEventListener('message', { handleEvent: 'not callable' })
    target.addEventListener('message', seen('survivor', target))
  },
  'a handleEvent looked up at dispatch': (target) => {
    const listener = {}
    target.addEventListener('message', listener)
    listener.handleEvent = function (event) {
      log.push(`late handleEvent ${event.data} ${this === listener}`)
    }
  },
  'the event object': (target) => {
    let kept
    target.addEventListener('message', (event) => {
      kept = event
      event.preventDefault()
      log.push(
        JSON.stringify({
          instanceofEvent: event instanceof Event,
          instanceofMessageEvent: event instanceof MessageEvent,
          constructor: event.constructor === MessageEvent,
          tag: Object.prototype.toString.call(event),
          bubbles: event.bubbles,
          cancelable: event.cancelable,
          composed: event.composed,
          defaultPrevented: event.defaultPrevented,
          returnValue: event.returnValue,
          isTrusted: event.isTrusted,
          timeStamp: typeof event.timeStamp,
          source: event.source,
          ports: Array.isArray(event.ports) && event.ports.length,
          inspect: inspect(event).includes('MessageEvent'),
        }),
      )
    })
    target.addEventListener('other', () => {
      log.push(`after dispatch: phase ${kept.eventPhase}, currentTarget ${kept.currentTarget}`)
      log.push(`path ${kept.composedPath().length}, target kept ${kept.target === target}`)
    })
  },
  'open events follow the same rules': (target) => {
    target.addEventListener('open', (event) => {
      log.push(`open ${event.eventPhase}`)
      target.addEventListener('open', () => log.push('late open'))
    })
    target.addEventListener('open', (event) => {
      log.push(`second open ${event.eventPhase} ${event.currentTarget === target}`)
    })
  },
  'invalid listeners and options throw as in Node': (target) => {
    for (const [listener, options] of [
      [5, undefined],
      ['text', undefined],
      [() => {}, { signal: 5 }],
    ]) {
      try {
        target.addEventListener('message', listener, options)
        log.push('no throw')
      } catch (error) {
        log.push(`${error.name} ${error.code}`)
      }
    }
  },
}

/** Serves `data: 1`, `data: 2`, then `event: other`, in one chunk, then ends the stream (the
 * source fires `open` first, and `error` at the end). */
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' })
  response.end('data: 1\n\ndata: 2\n\nevent: other\ndata: 3\n\n')
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${server.address().port}/`

const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

async function onSource(scenario) {
  log = []
  const source = new EventSource(url)
  scenario(source)
  await new Promise((resolve) => {
    source.onerror = resolve
  })
  source.close()
  await settle()
  return log
}

async function onNodeEventTarget(scenario) {
  log = []
  const target = new EventTarget()
  scenario(target)
  target.dispatchEvent(new Event('open'))
  target.dispatchEvent(new MessageEvent('message', { data: '1' }))
  target.dispatchEvent(new MessageEvent('message', { data: '2' }))
  target.dispatchEvent(new MessageEvent('other', { data: '3' }))
  await settle()
  return log
}

const results = {}
for (const [name, scenario] of Object.entries(scenarios)) {
  results[name] = { ours: await onSource(scenario), node: await onNodeEventTarget(scenario) }
}
server.close()
process.stdout.write(JSON.stringify(results))
