/**
 * Extension options that matter in browsers too, as shared cases: the Node runner runs them
 * against dist/, the Chromium runner against our ESM build (the native class has no options).
 */
import type { Reply } from '../fixture-server.js'
import type { ConformanceCase } from './cases.js'
import { count, observe } from './observe.js'

const stream = (...body: Array<string | number>): Reply => ({ body })
const untilMessages = (n: number) => (trace: readonly string[]) => count(trace, 'message:') >= n

/** Our constructor, with the options the W3C type lacks. */
type Ours = new (
  url: string,
  init: Record<string, unknown>,
) => EventSource & { readonly lastEventId: string }

export const extensionCases: readonly ConformanceCase[] = [
  {
    name: 'headers: a function refreshes the Authorization header before every attempt',
    step: 'extension: headers',
    script: (_r, attempt) => stream(`retry: 10\nid: ${attempt + 1}\ndata: ${attempt}\n\n`),
    run: ({ EventSource, url }) =>
      observe(EventSource, url, {
        init: {
          headers: async ({ attempt }: { attempt: number }) => ({
            Authorization: `Bearer t${attempt}`,
          }),
        } as never,
        until: untilMessages(3),
      }),
    expected: [
      'open:1',
      'message:0|1',
      'error:0',
      'open:1',
      'message:1|2',
      'error:0',
      'open:1',
      'message:2|3',
    ],
    requests: (log) => log.map((r) => [r.headers['authorization'], r.lastEventId ?? '']),
    expectedRequests: [
      ['Bearer t1', ''],
      ['Bearer t2', '1'],
      ['Bearer t3', '2'],
    ],
  },
  {
    name: 'method and body: a POST body is sent on every attempt',
    step: 'extension: method, body',
    script: (_r, attempt) => stream(`retry: 10\ndata: ${attempt}\n\n`),
    run: ({ EventSource, url }) =>
      observe(EventSource, url, {
        init: {
          method: 'POST',
          body: JSON.stringify({ prompt: 'hi' }),
          headers: { 'Content-Type': 'application/json' },
        } as never,
        until: untilMessages(2),
      }),
    expected: ['open:1', 'message:0|', 'error:0', 'open:1', 'message:1|'],
    requests: (log) => log.map((r) => [r.method, r.body, r.headers['content-type']]),
    expectedRequests: [
      ['POST', '{"prompt":"hi"}', 'application/json'],
      ['POST', '{"prompt":"hi"}', 'application/json'],
    ],
  },
  {
    name: 'lastEventId: a stored id resumes the first request, in the header and a query parameter',
    step: 'extension: lastEventId, lastEventIdQueryParam',
    script: () => stream('id: 8\ndata: after 7\n\n'),
    run: async ({ EventSource, url }) => {
      const Source = EventSource as unknown as Ours
      const source = new Source(url, { lastEventId: '7', lastEventIdQueryParam: 'last' })
      const before = source.lastEventId
      const data = await new Promise<string>((resolve) => {
        source.onmessage = (event) => resolve(event.data)
      })
      const after = source.lastEventId
      source.close()
      return { before, data, after }
    },
    expected: { before: '7', data: 'after 7', after: '8' },
    requests: (log) =>
      log.map((r) => [r.lastEventId, new URL(r.path, 'http://x').searchParams.get('last')]),
    expectedRequests: [['7', '7']],
  },
  {
    name: 'retry: failed attempts back off and give up after maxAttempts',
    step: 'extension: retry',
    script: () => ({ drop: true }),
    run: async ({ EventSource, url }) => {
      const Source = EventSource as unknown as Ours
      const source = new Source(url, {
        retry: { initialDelay: 10, factor: 2, maxDelay: 30, maxAttempts: 4 },
      })
      const seen: unknown[] = []
      await new Promise<void>((resolve) => {
        source.onerror = (event) => {
          const e = event as Event & { willRetry: boolean; delay?: number }
          seen.push([source.readyState, e.willRetry, e.delay ?? null])
          if (source.readyState === 2) resolve()
        }
        setTimeout(resolve, 4000)
      })
      source.close()
      return seen
    },
    expected: [
      [0, true, 10],
      [0, true, 20],
      [0, true, 30],
      [2, false, null],
    ],
    // Browsers may transparently retry a request whose reused socket was reset, so the server
    // can see more requests than the source made attempts.
    requests: (log) => log.length >= 4,
    expectedRequests: true,
  },
  {
    name: 'retry: opted-in statuses reconnect after Retry-After',
    step: 'extension: retry.statuses, Retry-After',
    script: (_r, attempt) =>
      attempt === 0 ? { status: 503, headers: { 'Retry-After': '0' } } : stream('data: back\n\n'),
    run: ({ EventSource, url }) =>
      observe(EventSource, url, {
        init: { retry: { statuses: [503] } } as never,
        until: untilMessages(1),
      }),
    expected: ['error:0', 'open:1', 'message:back|'],
  },
  {
    name: 'credentials: "omit" keeps same-origin cookies off the request; the default sends them',
    step: 'extension: credentials',
    browserOnly: 'cookies belong to a document',
    script: () => stream('data: a\n\n'),
    run: async ({ EventSource, url }) => {
      // biome-ignore lint/suspicious/noDocumentCookie: the case is about cookies on the request
      document.cookie = 'session=abc; path=/'
      const Source = EventSource as unknown as Ours
      for (const init of [{}, { credentials: 'omit' }]) {
        const source = new Source(url, init)
        await new Promise((resolve) => {
          source.onmessage = resolve
        })
        source.close()
      }
      // biome-ignore lint/suspicious/noDocumentCookie: cleans up the cookie set above
      document.cookie = 'session=; path=/; max-age=0'
      return 'done'
    },
    expected: 'done',
    requests: (log) => log.map((r) => r.headers['cookie'] ?? null),
    expectedRequests: ['session=abc', null],
  },
  {
    name: 'pauseWhenHidden: hidden disconnects, visible reconnects with Last-Event-ID',
    step: 'extension: pauseWhenHidden',
    browserOnly: 'visibility belongs to a document',
    script: (_r, attempt) => ({
      body: [`id: ${attempt + 1}\ndata: ${attempt}\n\n`],
      finish: 'hang',
    }),
    run: async ({ EventSource, url }) => {
      let hidden = false
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => (hidden ? 'hidden' : 'visible'),
      })
      const Source = EventSource as unknown as Ours
      const source = new Source(url, { pauseWhenHidden: true })
      const seen: string[] = []
      await new Promise<void>((resolve) => {
        source.onopen = () => seen.push('open')
        source.onerror = () => seen.push(`error:${source.readyState}`)
        source.onmessage = (event) => {
          seen.push(`message:${event.data}`)
          if (event.data === '0') {
            hidden = true
            document.dispatchEvent(new Event('visibilitychange'))
            seen.push(`hidden:${source.readyState}`)
            setTimeout(() => {
              hidden = false
              document.dispatchEvent(new Event('visibilitychange'))
            }, 100)
          } else resolve()
        }
        setTimeout(resolve, 3000)
      })
      source.close()
      delete (document as { visibilityState?: string }).visibilityState
      return seen
    },
    expected: ['open', 'message:0', 'hidden:0', 'open', 'message:1'],
    requests: (log) => log.map((r) => r.lastEventId ?? ''),
    expectedRequests: ['', '1'],
  },
  {
    name: 'reconnectWhenOnline: coming back online cuts the reconnect wait short',
    step: 'extension: reconnectWhenOnline',
    browserOnly: 'the online event belongs to a browser',
    script: (_r, attempt) =>
      attempt === 0 ? stream('retry: 60000\ndata: a\n\n') : stream('data: b\n\n'),
    run: async ({ EventSource, url }) => {
      const Source = EventSource as unknown as Ours
      const source = new Source(url, { reconnectWhenOnline: true })
      const seen: string[] = []
      await new Promise<void>((resolve) => {
        source.onerror = () => {
          seen.push(`error:${source.readyState}`)
          setTimeout(() => window.dispatchEvent(new Event('online')), 50)
        }
        source.onmessage = (event) => {
          seen.push(`message:${event.data}`)
          if (event.data === 'b') resolve()
        }
        setTimeout(resolve, 3000)
      })
      source.close()
      return seen
    },
    expected: ['message:a', 'error:0', 'message:b'],
  },
  {
    name: 'a stream longer than 1 MiB arrives whole and in order, with one open event',
    step: 'XMLHttpRequest transport: bounded memory by resuming a fresh request',
    script: (request) => {
      // Honours Last-Event-ID, as the recycling of a full XMLHttpRequest buffer relies on.
      const from = Number(request.lastEventId ?? '0') + 1
      const pad = 'x'.repeat(2000)
      const body: string[] = []
      for (let id = from; id <= 700; id++) body.push(`id: ${id}\ndata: ${id} ${pad}\n\n`)
      return { body, finish: 'hang' }
    },
    run: async ({ EventSource, url }) => {
      const source = new EventSource(url)
      const result = { opens: 0, errors: 0, inOrder: true, last: 0 }
      await new Promise<void>((resolve) => {
        source.onopen = () => result.opens++
        source.onerror = () => result.errors++
        source.onmessage = (event) => {
          const id = Number(String(event.data).split(' ')[0])
          if (id !== result.last + 1) result.inOrder = false
          result.last = id
          if (id === 700) resolve()
        }
        setTimeout(resolve, 8000)
      })
      source.close()
      return result
    },
    expected: { opens: 1, errors: 0, inOrder: true, last: 700 },
  },
]
