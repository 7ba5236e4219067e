/**
 * The client half of the contract suite, the same in Node and in the browser page: runs one case
 * against one transport and returns the log of its callbacks.
 *
 * The log: `response <status> <url> <name>=<value>…` (the URL relative to the server's origin),
 * `body "<text>"` for the chunks between two other entries (bytes decoded as UTF-8, XHR's text
 * as it is, so chunk boundaries do not matter), `end`, `error`, `recycle`, and `abort` when the
 * client aborted. A callback that runs before the transport has returned its handle is logged as
 * `<callback> before the transport returned`.
 *
 * No Node modules here: the page bundles it.
 */
import type { Transport, TransportHandle } from '../../src/transports/transport.js'
import { bodyEntry, type ContractCase } from './cases.js'

/**
 * How long the client keeps listening after the last terminal callback or abort: longer than any
 * case's server keeps writing after that point, so a callback that should not come is seen.
 */
export const SETTLE_MS = 400

/** A case with no terminal callback and no abort by then is logged `timeout`. */
export const CASE_DEADLINE_MS = 8000

/** Runs `testCase` with `transport` against the server at `origin`; resolves with the log. */
export function runContractCase(
  transport: Transport,
  testCase: ContractCase,
  origin: string,
): Promise<string[]> {
  return new Promise((resolve) => {
    const log: string[] = []
    const decoder = new TextDecoder()
    const plan = testCase.abort
    const headerNames = testCase.logHeaders ?? ['content-type']
    let text = ''
    let handle: TransportHandle | undefined
    let chunks = 0
    let settleTimer: ReturnType<typeof setTimeout> | undefined
    let finished = false

    const flushBody = (): void => {
      text += decoder.decode()
      if (text !== '') log.push(bodyEntry(text))
      text = ''
    }
    const record = (entry: string): void => {
      flushBody()
      log.push(entry)
    }
    const finish = (): void => {
      if (finished) return
      finished = true
      clearTimeout(deadline)
      flushBody()
      resolve([...log])
    }
    const settle = (): void => {
      if (finished) return
      clearTimeout(settleTimer)
      settleTimer = setTimeout(finish, SETTLE_MS)
    }
    // A callback after the end or an abort re-arms the wait, so a late burst is logged whole.
    const late = (): void => {
      if (settleTimer !== undefined) settle()
    }
    // Three times (twice at once, once a moment later): abort() must be idempotent.
    const abort = (): void => {
      const target = handle
      if (target === undefined) return
      const stop = (): void => {
        try {
          target.abort()
        } catch (error) {
          record(`abort threw ${String(error)}`)
        }
      }
      stop()
      stop()
      record('abort')
      setTimeout(stop, 20)
      settle()
    }
    const abortLater = (ms: number): void => {
      setTimeout(() => {
        if (!log.includes('abort')) abort()
      }, ms)
    }
    /** Logs a callback; true when the transport had returned its handle (so it may be aborted). */
    const called = (name: string): boolean => {
      if (handle !== undefined) return true
      record(`${name} before the transport returned`)
      return false
    }
    const terminal = (name: 'end' | 'error'): void => {
      if (!called(name)) return
      record(name)
      if (plan === 'after-end') abort()
      settle()
    }

    const deadline = setTimeout(() => {
      record('timeout')
      handle?.abort()
      finish()
    }, CASE_DEADLINE_MS)

    const result = transport(
      {
        url: `${origin}/start`,
        method: testCase.method ?? 'GET',
        headers: { accept: 'text/event-stream' },
        body: testCase.body ?? null,
        credentials: 'same-origin',
      },
      {
        onResponse(head) {
          // Headers are read here, as the connection reads them: they must be there already.
          const url = head.url.startsWith(origin) ? head.url.slice(origin.length) : head.url
          const headers = headerNames.map((name) => `${name}=${head.headers.get(name)}`)
          if (!called('onResponse')) return
          record(['response', head.status, url || '(none)', ...headers].join(' '))
          late()
          if (plan === 'in-response') abort()
          else if (typeof plan === 'object' && 'afterResponse' in plan)
            abortLater(plan.afterResponse)
        },
        onChunk(chunk) {
          if (!called('onChunk')) return
          text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
          chunks++
          late()
          if (chunks > 1) return
          if (plan === 'in-chunk') abort()
          else if (plan === 'after-chunk') abortLater(0)
        },
        onEnd: () => terminal('end'),
        onError: () => terminal('error'),
        // As the connection does: the first request to be replaced is granted (by aborting).
        onRecycle: () => {
          if (!log.includes('recycle') && called('onRecycle')) {
            record('recycle')
            abort()
          }
        },
      },
    )
    handle = result
    if (plan === 'sync') abort()
    else if (typeof plan === 'object' && 'afterStart' in plan) abortLater(plan.afterStart)
  })
}
