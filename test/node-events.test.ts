/**
 * The Node build's own events (src/platform/node-events.ts) on a Node `EventTarget` that is not
 * the source: dispatched there, they behave as Node's own events would.
 */
import { once } from 'node:events'
import { EventSource, type EventSourceMessageEvent } from 'isomorphic-eventsource'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'

let server: FixtureServer
beforeAll(async () => {
  server = await FixtureServer.start()
})
afterAll(() => server.close())

/** The first message event of a stream, after its dispatch on the source has finished. */
async function firstMessage(): Promise<{ event: EventSourceMessageEvent; source: EventSource }> {
  const route = server.route(() => ({ body: ['data: hello\n\n'], finish: 'hang' }))
  const source = new EventSource(route.url)
  const [event] = (await once(source, 'message')) as [EventSourceMessageEvent]
  source.close()
  return { event, source }
}

test('a message event re-dispatched on another EventTarget has that target there', async () => {
  const { event, source } = await firstMessage()
  expect(event.target).toBe(source)
  const other = new EventTarget()
  const seen: unknown[] = []
  other.addEventListener('message', (e) => {
    seen.push(e === event, e.target === other, e.currentTarget === other, e.eventPhase)
  })
  expect(other.dispatchEvent(event)).toBe(true)
  expect(seen).toEqual([true, true, true, 2])
  // After the dispatch, as the DOM leaves it: the last target, no current target, no phase.
  expect([event.target === other, event.currentTarget, event.eventPhase]).toEqual([true, null, 0])
  expect(event.data).toBe('hello')
})

test('re-dispatching an event while the source dispatches it is refused, as the DOM says', async () => {
  const route = server.route(() => ({ body: ['data: x\n\n'], finish: 'hang' }))
  const source = new EventSource(route.url)
  const other = new EventTarget()
  let otherCalled = false
  other.addEventListener('message', () => {
    otherCalled = true
  })
  const thrown = await new Promise<unknown>((resolve) => {
    source.onmessage = (event) => {
      source.close()
      try {
        other.dispatchEvent(event)
        resolve(undefined)
      } catch (error) {
        resolve(error)
      }
    }
  })
  expect(thrown).toBeInstanceOf(Error)
  expect((thrown as { code?: string }).code).toBe('ERR_EVENT_RECURSION')
  expect(otherCalled).toBe(false)
})

test('stopImmediatePropagation on another EventTarget stops its later listeners', async () => {
  const { event } = await firstMessage()
  const other = new EventTarget()
  const calls: string[] = []
  other.addEventListener('message', (e) => {
    calls.push('first')
    e.stopImmediatePropagation()
  })
  other.addEventListener('message', () => calls.push('second'))
  other.dispatchEvent(event)
  expect(calls).toEqual(['first'])
})
