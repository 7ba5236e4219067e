/**
 * The Node build dispatches the events a source fires itself (src/platform/node-events.ts): these are the DOM's
 * listener rules, checked on a real source fed by a real server. Each expectation is the DOM
 * standard's answer ("dispatch", "invoke", "inner invoke", "remove an event listener"), which
 * browsers give; where Node's own `EventTarget` answers differently, the comment says so and the
 * test checks that the two really differ (so the comparison itself cannot pass by accident).
 * test/support/dispatch-scenarios.mjs runs each scenario on a source and on a Node
 * `EventTarget` with real `MessageEvent`s, in its own process (some listeners throw on purpose).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, test } from 'vitest'

type Logs = Record<string, { ours: string[]; node: string[] }>

let logs: Logs
beforeAll(async () => {
  const script = new URL('./support/dispatch-scenarios.mjs', import.meta.url)
  const dist = new URL('../dist/node.js', import.meta.url).href
  const { stdout } = await promisify(execFile)(process.execPath, [script.pathname, dist], {
    timeout: 30_000,
  })
  logs = JSON.parse(stdout) as Logs
})

/** What the listeners of one scenario logged, on a source and on Node's EventTarget. */
function scenario(name: string): { ours: string[]; node: string[] } {
  const log = logs[name]
  if (log === undefined) throw new Error(`no scenario named ${name}`)
  return log
}

/** `label data type eventPhase target? currentTarget? composedPath().length this` */
const at = (label: string, data: string, type = 'message', self = 'true') =>
  `${label} ${data} ${type} 2 true true 1 ${self}`

describe('message event dispatch in the Node build follows the DOM standard', () => {
  test('capture listeners first at the target, then the rest, each in registration order; duplicates and null ignored', () => {
    // Node calls all in registration order, and shows eventPhase 0 / currentTarget null /
    // composedPath() [] to every listener after the first (the same in Node 20, 22 and 24).
    const expected = (data: string) => [
      at('a', data),
      at('b', data),
      at('a', data),
      at('object', data, 'message', 'object-this'),
    ]
    const afterFirst = (label: string, data: string, self = 'true') =>
      `${label} ${data} message 0 true false 0 ${self}`
    const inNode = (data: string) => [
      at('a', data),
      afterFirst('a', data),
      afterFirst('b', data),
      afterFirst('object', data, 'object-this'),
    ]
    const { ours, node } = scenario('order, duplicates and capture')
    expect(ours).toEqual([...expected('1'), ...expected('2'), at('other type', '3', 'other')])
    expect(node).toEqual([...inNode('1'), ...inNode('2'), at('other type', '3', 'other')])
  })

  test('once runs once; removal matches the capture flag, given as a boolean too', () => {
    // Node's removeEventListener reads `capture` only from an options object, so `true`
    // removes the non-capture listener.
    const { ours, node } = scenario('once, and removal by the same capture flag only')
    expect(ours).toEqual([at('once', '1'), at('kept', '1'), at('kept', '2')])
    expect(node).toEqual([at('once', '1')])
  })

  test('a listener added during a dispatch waits for the next event; a removed one is skipped', () => {
    // Node calls a listener added during the dispatch in that same dispatch.
    const { ours, node } = scenario('listeners added or removed during a dispatch')
    expect(ours).toEqual(['first 1', 'first 2', at('late', '2')])
    expect(node).toContain('late 1 message 0 true false 0 true')
  })

  test('stopPropagation lets the other listeners of the target run; stopImmediatePropagation does not', () => {
    const { ours } = scenario('stopPropagation and stopImmediatePropagation')
    expect(ours).toEqual(['cancelBubble true', at('after', '1'), 'cancelBubble true'])
  })

  test('an aborted signal removes its listener; an already aborted one adds none', () => {
    const { ours } = scenario('a signal removes the listener')
    expect(ours).toEqual(['signalled 1', at('plain', '1'), at('plain', '2')])
  })

  test('an error thrown or rejected in a listener is reported as an uncaught exception, and the rest still run', () => {
    const { ours, node } = scenario('errors are reported and dispatch goes on')
    expect(ours.slice(0, 2)).toEqual([at('survivor', '1'), at('survivor', '2')])
    // The same reports as Node's (whose order differs: it awaits handleEvent objects).
    const reports = (log: string[]) =>
      log
        .filter((line) => line.startsWith('reported'))
        .map((line) => (/not (callable|a function)/.test(line) ? 'reported not callable' : line))
        .sort()
    expect(reports(ours)).toEqual(reports(node))
    expect(reports(ours)).toHaveLength(8)
  })

  test('handleEvent is looked up at dispatch time, and called with the object as this', () => {
    const { ours, node } = scenario('a handleEvent looked up at dispatch')
    expect(ours).toEqual(['late handleEvent 1 true', 'late handleEvent 2 true'])
    expect(ours).toEqual(node)
  })

  test('the event is a MessageEvent like Node’s own, during and after dispatch', () => {
    const { ours, node } = scenario('the event object')
    expect(ours).toEqual(node)
    expect(JSON.parse(ours[0] ?? '{}')).toMatchObject({
      instanceofEvent: true,
      instanceofMessageEvent: true,
      constructor: true,
      cancelable: false,
      defaultPrevented: false,
      inspect: true,
    })
    expect(ours.slice(2)).toEqual([
      'after dispatch: phase 0, currentTarget null',
      'path 0, target kept true',
    ])
  })

  test('open (and error) events, which the source fires too, follow the same rules', () => {
    // Node: the listener added during the dispatch runs in it; the second sees eventPhase 0.
    const { ours, node } = scenario('open events follow the same rules')
    expect(ours).toEqual(['open 2', 'second open 2 true'])
    expect(node).toEqual(['open 2', 'second open 0 false', 'late open'])
  })

  test('a bad listener or signal throws the TypeError Node throws', () => {
    const { ours, node } = scenario('invalid listeners and options throw as in Node')
    expect(ours).toEqual(Array(3).fill('TypeError ERR_INVALID_ARG_TYPE'))
    expect(ours).toEqual(node)
  })
})
