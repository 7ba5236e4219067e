/**
 * Runs an EventSource and writes what it does as a list of short strings, so that one expected
 * list can be compared in Node, against the browser's native class and against ours. Uses only
 * web-standard APIs: this file is bundled into the browser page too.
 */

/** The constructor under test: ours, or a browser's native one. */
export type EventSourceClass = typeof globalThis.EventSource

export interface ObserveOptions {
  /** Event types to record besides open, message and error. */
  types?: readonly string[]
  init?: EventSourceInit
  /** Stop (and close) once this returns true for the trace so far. */
  until: (trace: readonly string[]) => boolean
  /** Stop anyway after this long; the trace then ends with "timeout". @defaultValue 4000 */
  timeout?: number
  /** Called with the source after each recorded entry (to close it from a handler, say). */
  onEntry?: (source: EventSource, entry: string, trace: readonly string[]) => void
  /** Record `origin` of message events as "same" or the actual origin. */
  origin?: boolean
}

/**
 * Entries: `open:<readyState>`, `error:<readyState>`, `<type>:<data>|<lastEventId>` for
 * messages (with `|<origin>` when asked), and a final `timeout` when `until` never held.
 */
export function observe(
  EventSourceClass: EventSourceClass,
  url: string,
  options: ObserveOptions,
): Promise<string[]> {
  return new Promise((resolve) => {
    const trace: string[] = []
    const source = new EventSourceClass(url, options.init)
    let done = false
    const finish = (timedOut: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      source.close()
      if (timedOut) trace.push('timeout')
      resolve(trace)
    }
    const timer = setTimeout(() => finish(true), options.timeout ?? 4000)
    const record = (entry: string): void => {
      if (done) return
      trace.push(entry)
      options.onEntry?.(source, entry, trace)
      if (options.until(trace)) finish(false)
    }
    source.addEventListener('open', () => record(`open:${source.readyState}`))
    source.addEventListener('error', () => record(`error:${source.readyState}`))
    for (const type of ['message', ...(options.types ?? [])]) {
      source.addEventListener(type, (event) => {
        const message = event as MessageEvent
        let entry = `${message.type}:${String(message.data)}|${message.lastEventId}`
        if (options.origin) {
          entry += `|${message.origin === new URL(url).origin ? 'same' : message.origin}`
        }
        record(entry)
      })
    }
  })
}

/** Count of entries starting with `prefix`. */
export function count(trace: readonly string[], prefix: string): number {
  return trace.filter((entry) => entry.startsWith(prefix)).length
}
