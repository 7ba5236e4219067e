import type {
  EventSource,
  EventSourceErrorEvent,
  EventSourceInit,
  EventSourceMessageEvent,
  EventSourceOpenEvent,
} from 'isomorphic-eventsource'
import { describe, expectTypeOf, test } from 'vitest'

// Checked by `tsc` (npm run typecheck): these fail the type-check, not the run, when they break.
describe('types', () => {
  test('an instance is assignable to the DOM EventSource type', () => {
    // A plain assignment is the strictest check of assignability there is.
    const asDom = (source: EventSource): globalThis.EventSource => source
    expectTypeOf(asDom).returns.toEqualTypeOf<globalThis.EventSource>()
    const typed = (
      source: EventSource<{ tick: EventSourceMessageEvent }>,
    ): globalThis.EventSource => source
    expectTypeOf(typed).returns.toEqualTypeOf<globalThis.EventSource>()
    expectTypeOf<typeof EventSource.CLOSED>().toEqualTypeOf<2>()
  })

  test('listeners are typed per event name, with the W3C overloads intact', () => {
    const source = null as unknown as EventSource
    if (source === null) return
    source.addEventListener('message', (event) =>
      expectTypeOf(event).toEqualTypeOf<EventSourceMessageEvent>(),
    )
    source.addEventListener('open', (event) =>
      expectTypeOf(event).toEqualTypeOf<EventSourceOpenEvent>(),
    )
    source.addEventListener('error', (event) =>
      expectTypeOf(event.status).toEqualTypeOf<number | undefined>(),
    )
    source.addEventListener('custom', (event) =>
      expectTypeOf(event).toEqualTypeOf<EventSourceMessageEvent>(),
    )
    source.addEventListener('custom', { handleEvent: () => undefined })
  })

  test('a generic event map types named events', () => {
    interface Progress extends EventSourceMessageEvent {
      readonly type: 'progress'
    }
    const source = null as unknown as EventSource<{ progress: Progress }>
    if (source === null) return
    source.addEventListener('progress', (event) => expectTypeOf(event).toEqualTypeOf<Progress>())
    source.addEventListener('error', (event) =>
      expectTypeOf(event).toEqualTypeOf<EventSourceErrorEvent>(),
    )
  })

  test('the init dictionary accepts the DOM one', () => {
    expectTypeOf<globalThis.EventSourceInit>().toExtend<EventSourceInit>()
  })
})
