import type { EventSource, EventSourceInit } from 'isomorphic-eventsource'
import { describe, expectTypeOf, test } from 'vitest'

// Checked by `tsc` (npm run typecheck): these fail the type-check, not the run, when they break.
describe('types', () => {
  test('an instance is assignable to the DOM EventSource type', () => {
    // A plain assignment is the strictest check of assignability there is.
    const asDom = (source: EventSource): globalThis.EventSource => source
    expectTypeOf(asDom).returns.toEqualTypeOf<globalThis.EventSource>()
    expectTypeOf<typeof EventSource.CLOSED>().toEqualTypeOf<2>()
  })

  test('listeners are typed per event name, with the W3C overloads', () => {
    const source = null as unknown as EventSource
    if (source === null) return
    source.addEventListener('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent>())
    source.addEventListener('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
    source.addEventListener('custom', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent>())
    source.addEventListener('custom', { handleEvent: () => undefined })
  })

  test('the init dictionary matches the DOM one', () => {
    expectTypeOf<globalThis.EventSourceInit>().toExtend<EventSourceInit>()
  })
})
