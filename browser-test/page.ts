/**
 * The browser side of the shared suite: runs one conformance case in the page, against the
 * browser's native EventSource or against ours installed in its place: the full class (`ours`)
 * or the W3C-only one (`standard`, isomorphic-eventsource/standard).
 */
import { EventSource as Ours } from '../dist/index.js'
import { EventSource as Standard } from '../dist/standard.js'
import { cases } from '../test/conformance/cases.js'
import { extensionCases } from '../test/conformance/extension-cases.js'
import type { EventSourceClass } from '../test/conformance/observe.js'

export type Mode = 'native' | 'ours' | 'standard'

const native = globalThis.EventSource

declare global {
  var runCase: (name: string, mode: Mode, url: string) => Promise<unknown>
}

globalThis.runCase = async (name, mode, url) => {
  const testCase = [...cases, ...extensionCases].find((candidate) => candidate.name === name)
  if (testCase === undefined) throw new Error(`no case named ${name}`)
  // "Ours" replaces the global, as an application polyfilling EventSource would.
  globalThis.EventSource =
    mode === 'native'
      ? native
      : ((mode === 'ours' ? Ours : Standard) as unknown as EventSourceClass)
  return testCase.run({ EventSource: globalThis.EventSource, url })
}
