/**
 * The tab side of browser-test/share.test.ts. The page imports dist/index.js as a module (so
 * dist/share.js loads on demand, as in an application) and puts the class on
 * `window.IsomorphicEventSource`; this script gives the test `window.shareTest`: open sources
 * with options, read what each one saw, close them. Every function returns a string (classic
 * WebDriver and BiDi transport strings alike).
 */
import type { EventSource as Ours } from '../../dist/index.js'

interface Entry {
  readonly source: Ours
  readonly log: string[]
}

/** Options as the test sends them (JSON), plus `tabHeader`: a headers function, see below. */
type Init = Record<string, unknown> & { tabHeader?: boolean }

const scope = window as unknown as {
  IsomorphicEventSource: typeof Ours
  shareTest: unknown
  __errors: string[]
}
const tab = new URLSearchParams(location.search).get('tab') ?? ''
const sources = new Map<string, Entry>()
/** Each call of this tab's headers functions: its `attempt`. */
const headerCalls: number[] = []
const origins = new Set<string>()
/** Our Web Locks at the last `queryLocks()`, once known. */
let locks: string[] | undefined
/** What each `error` event said, for failure messages. */
const errorDetails: string[] = []

scope.shareTest = {
  open(name: string, url: string, init: Init): string {
    const { tabHeader, ...options } = init
    if (tabHeader) {
      // Runs only where the connection is: the server sees which tab leads.
      options['headers'] = ({ attempt }: { attempt: number }) => {
        headerCalls.push(attempt)
        return { 'X-Tab': tab }
      }
    }
    const source = new scope.IsomorphicEventSource(url, options)
    const log: string[] = []
    source.onopen = () => log.push(`open:${source.readyState}`)
    source.onerror = (event) => {
      log.push(`error:${source.readyState}`)
      const { reason, message } = event as unknown as { reason: string; message: string }
      errorDetails.push(`${name}: ${reason}: ${message}`)
    }
    source.onmessage = (event) => {
      origins.add(event.origin)
      log.push(`${event.data}|${event.lastEventId}`)
    }
    // A named event, through addEventListener.
    source.addEventListener('tick', (event) => log.push(`tick ${event.data}|${event.lastEventId}`))
    sources.set(name, { source, log })
    // Still the class, and CONNECTING, as any new EventSource.
    return source instanceof scope.IsomorphicEventSource && source.readyState === 0 ? 'ok' : 'odd'
  },
  reconnect(name: string): string {
    sources.get(name)?.source.reconnect()
    return 'ok'
  },
  /** Starts reading the names of our Web Locks, held or waiting, into `read().locks`. */
  queryLocks(): string {
    locks = undefined
    navigator.locks.query().then(({ held = [], pending = [] }) => {
      locks = [...held, ...pending]
        .map((lock) => lock.name ?? '')
        .filter((lockName) => lockName.startsWith('isomorphic-eventsource/'))
    })
    return 'ok'
  },
  close(name: string): string {
    sources.get(name)?.source.close()
    return 'ok'
  },
  closeAll(): string {
    for (const { source } of sources.values()) source.close()
    return 'ok'
  },
  read(): string {
    const seen: Record<string, { readyState: number; lastEventId: string; log: string[] }> = {}
    for (const [name, { source, log }] of sources) {
      seen[name] = { readyState: source.readyState, lastEventId: source.lastEventId, log }
    }
    return JSON.stringify({
      tab,
      sources: seen,
      headerCalls,
      origins: [...origins],
      errors: scope.__errors,
      errorDetails,
      locks,
    })
  },
}
