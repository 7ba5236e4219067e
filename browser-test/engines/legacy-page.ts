/**
 * The case runner of the old-browser page (bundled by esbuild for es2015). The page has already
 * deleted the modern globals and loaded dist/eventsource.legacy.min.js, which installed itself
 * as `window.EventSource`; the cases run against that global, as a page using the `<script>`
 * bundle would.
 */
import { cases } from '../../test/conformance/cases.js'
import { extensionCases } from '../../test/conformance/extension-cases.js'
import type { EventSourceClass } from '../../test/conformance/observe.js'

const all = [...cases, ...extensionCases]
const scope = globalThis as unknown as {
  EventSource: EventSourceClass
  runCase: (name: string, mode: string, url: string) => Promise<unknown>
}

scope.runCase = async (name, _mode, url) => {
  const testCase = all.find((candidate) => candidate.name === name)
  if (testCase === undefined) throw new Error(`no case named ${name}`)
  return testCase.run({ EventSource: scope.EventSource, url })
}
