/**
 * The page of browser-test/share-conformance.test.ts: the shared conformance cases, run against
 * our class with `share` added to every source (each source a key of its own, so that it leads:
 * it is the one tab that holds the connection, through the sharing code).
 */
import { EventSource as Ours } from '../../dist/index.js'
import { cases } from '../../test/conformance/cases.js'
import { extensionCases } from '../../test/conformance/extension-cases.js'
import type { EventSourceClass } from '../../test/conformance/observe.js'

let keys = 0

/**
 * The class itself, constructed with `share` added to the options. A Proxy keeps every other
 * part of it (statics, prototype, `length`, `instanceof`) as it is; arguments the cases use to
 * test the constructor's own checks (none, or a second that is not an object) pass unchanged.
 */
const Shared = new Proxy(Ours, {
  construct(target, args, newTarget) {
    const [url, init] = args as [unknown, unknown]
    const plain = init === undefined || (typeof init === 'object' && init !== null)
    const shared =
      args.length === 0 || !plain
        ? args
        : [url, { ...(init as object), share: `conformance ${++keys}` }]
    return Reflect.construct(target, shared, newTarget) as object
  },
}) as unknown as EventSourceClass

declare global {
  var runSharedCase: (name: string, url: string) => Promise<unknown>
  var sharedLocks: (url: string) => Promise<{ open: string[]; closed: string[] }>
}

/** Our Web Locks (held or waiting), while a shared source is open and after its close(). */
globalThis.sharedLocks = async (url) => {
  const ours = async () => {
    const { held = [], pending = [] } = await navigator.locks.query()
    return [...held, ...pending]
      .map((lock) => lock.name ?? '')
      .filter((name) => name.startsWith('isomorphic-eventsource/'))
  }
  const source = new Shared(url)
  await new Promise((resolve) => source.addEventListener('open', resolve, { once: true }))
  const open = await ours()
  source.close()
  // The lock manager hears of the release asynchronously: a bounded wait.
  let closed = await ours()
  for (let i = 0; i < 40 && closed.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    closed = await ours()
  }
  return { open, closed }
}

globalThis.runSharedCase = async (name, url) => {
  const testCase = [...cases, ...extensionCases].find((candidate) => candidate.name === name)
  if (testCase === undefined) throw new Error(`no case named ${name}`)
  return testCase.run({ EventSource: Shared, url })
}
