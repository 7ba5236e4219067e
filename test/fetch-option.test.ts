/**
 * The `fetch` option as code written for the `eventsource` package (v4) uses it: the `init` it is
 * called with, a wrapper that adds a header behaving as it does with eventsource v4 itself, a
 * fetch that breaks its contract failing the connection once (never a retry loop), the
 * `supports-fetch-override` marker, and `ErrorEvent` under the package's name.
 */
import { Readable } from 'node:stream'
import { EventSource as EventSourceV4 } from 'eventsource-v4'
import {
  ErrorEvent,
  EventSource,
  type EventSourceErrorEvent,
  type EventSourceFetchInit,
  type EventSourceOptions,
} from 'isomorphic-eventsource'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'

let server: FixtureServer
beforeAll(async () => {
  server = await FixtureServer.start()
})
afterAll(() => server.close())

/** What a source did: event types with readyState, and its error events. */
interface Outcome {
  events: string[]
  errors: EventSourceErrorEvent[]
  readyState: number
}

/** Collects a source's events until `until` holds, then closes it (5 s at most). */
function watch(
  source: EventSource,
  until: (outcome: Outcome) => boolean,
  timeout = 5000,
): Promise<Outcome> {
  const outcome: Outcome = { events: [], errors: [], readyState: source.readyState }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`timed out; saw ${JSON.stringify(outcome.events)}`))
    }, timeout)
    const check = () => {
      outcome.readyState = source.readyState
      if (!until(outcome)) return
      clearTimeout(timer)
      source.close()
      resolve(outcome)
    }
    for (const type of ['open', 'message', 'error'] as const) {
      source.addEventListener(type, (event: Event) => {
        outcome.events.push(`${type}:${source.readyState}`)
        if (type === 'error') outcome.errors.push(event as EventSourceErrorEvent)
        check()
      })
    }
  })
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (2 s at most) until the server has seen the TCP connection of each request close. */
async function connectionsClosed(requests: { connection: { closed: boolean } }[]) {
  for (let i = 0; i < 100 && requests.some((r) => !r.connection.closed); i++) await delay(20)
  return requests.map((r) => r.connection.closed)
}

/** The init a call got, as plain data (the signal as whether it was aborted at the call). */
function describeInit(init: EventSourceFetchInit) {
  const { signal, ...rest } = init
  return { ...rest, signal: signal instanceof AbortSignal ? { aborted: signal.aborted } : signal }
}

describe('the init the fetch option is called with', () => {
  test('a GET: method, headers as a plain object with Accept and Last-Event-ID, and the spec modes', async () => {
    const route = server.route((_r, attempt) => ({
      body: [`retry: 20\nid: ${attempt + 7}\ndata: ${attempt}\n\n`],
    }))
    const calls: unknown[] = []
    const signals: AbortSignal[] = []
    const source = new EventSource(route.url, {
      fetch: (url, init) => {
        calls.push([
          url,
          describeInit(init),
          Object.getPrototypeOf(init.headers) === Object.prototype,
        ])
        signals.push(init.signal)
        return fetch(url, init)
      },
    })
    const outcome = await watch(source, (o) => o.events.filter((e) => e === 'open:1').length >= 2)
    const common = {
      method: 'GET',
      mode: 'cors',
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'follow',
      signal: { aborted: false },
    }
    expect(calls).toEqual([
      [route.url, { ...common, headers: { Accept: 'text/event-stream' } }, true],
      [
        route.url,
        { ...common, headers: { Accept: 'text/event-stream', 'Last-Event-ID': '7' } },
        true,
      ],
    ])
    expect(outcome.events).toEqual(['open:1', 'message:1', 'error:0', 'open:1'])
    // Each request's signal aborts when the request is done with: the drop, then close().
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
    expect(route.requests.map((r) => [r.headers['accept'], r.lastEventId])).toEqual([
      ['text/event-stream', undefined],
      ['text/event-stream', '7'],
    ])
  })

  test('a POST: the method, the body, the headers option (names lower-cased) and credentials', async () => {
    const route = server.route(() => ({ body: ['data: ok\n\n'], finish: 'hang' }))
    const calls: unknown[] = []
    const source = new EventSource(route.url, {
      method: 'post',
      body: '{"prompt":"hi"}',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream, */*' },
      withCredentials: true,
      lastEventId: 'r-1',
      fetch: (url, init) => {
        calls.push(describeInit(init))
        return fetch(url, init)
      },
    })
    await watch(source, (o) => o.events.includes('message:1'))
    expect(calls).toEqual([
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          Accept: 'text/event-stream, */*',
          'Last-Event-ID': 'r-1',
        },
        body: '{"prompt":"hi"}',
        mode: 'cors',
        credentials: 'include',
        cache: 'no-store',
        redirect: 'follow',
        signal: { aborted: false },
      },
    ])
    expect(route.requests.map((r) => [r.method, r.body, r.headers['accept']])).toEqual([
      ['POST', '{"prompt":"hi"}', 'text/event-stream, */*'],
    ])
  })
})

describe('a fetch wrapper written for eventsource v4', () => {
  /** v4's README: add a header by spreading `init` and `init.headers`. */
  const withAuthorization =
    (token: string) =>
    (url: string | URL, init: { headers: Record<string, string> } & RequestInit) =>
      fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } })

  test('sends the same requests through ours as through eventsource v4', async () => {
    const script = (_r: unknown, attempt: number) =>
      attempt === 0
        ? { body: ['retry: 20\nid: a1\ndata: one\n\n'] }
        : { body: ['data: two\n\n'], finish: 'hang' as const }
    const ours = server.route(script)
    const theirs = server.route(script)

    const source = new EventSource(ours.url, { fetch: withAuthorization('t0k3n') })
    const outcome = await watch(
      source,
      (o) => o.events.filter((e) => e === 'message:1').length >= 2,
    )
    expect(outcome.events).toEqual(['open:1', 'message:1', 'error:0', 'open:1', 'message:1'])

    const v4 = new EventSourceV4(theirs.url, { fetch: withAuthorization('t0k3n') })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('eventsource v4 got no second message')),
        5000,
      )
      let count = 0
      v4.onmessage = () => {
        if (++count < 2) return
        clearTimeout(timer)
        resolve()
      }
    })
    v4.close()

    // Header names and values, without the connection's own (host, keep-alive).
    const seen = (requests: typeof ours.requests) =>
      requests.map((r) => {
        const { host: _host, connection: _connection, ...headers } = r.headers
        return { method: r.method, headers }
      })
    expect(seen(ours.requests)).toEqual(seen(theirs.requests))
    // What the spec and the wrapper put there (undici adds its own defaults beside them).
    const pick = ({ headers }: { headers: Record<string, string | undefined> }) =>
      ['accept', 'authorization', 'last-event-id', 'cache-control', 'pragma', 'sec-fetch-mode']
        .filter((name) => headers[name] !== undefined)
        .map((name) => `${name}: ${headers[name]}`)
    const spec = ['cache-control: no-cache', 'pragma: no-cache', 'sec-fetch-mode: cors']
    expect(seen(ours.requests).map(pick)).toEqual([
      ['accept: text/event-stream', 'authorization: Bearer t0k3n', ...spec],
      ['accept: text/event-stream', 'authorization: Bearer t0k3n', 'last-event-id: a1', ...spec],
    ])
  })
})

describe('a fetch that breaks its contract fails the connection once', () => {
  /** Opens a source that retries after 20 ms, waits for its first error and 400 ms more. */
  async function failOnce(url: string, fetch: unknown, extra: EventSourceOptions = {}) {
    const calls: string[] = []
    const source = new EventSource(url, {
      retry: { initialDelay: 20 },
      ...extra,
      fetch: ((...args: unknown[]) => {
        calls.push(String(args[0]))
        return (fetch as (...args: unknown[]) => unknown)(...args)
      }) as EventSourceOptions['fetch'],
    })
    const outcome = await watch(source, (o) => o.errors.length >= 1)
    // Closed by the failure already; a retry loop would have made more calls by now.
    await delay(400)
    const [error] = outcome.errors
    return { outcome, calls, error, cause: error?.cause as TypeError }
  }

  test('one that resolves to a Node stream body (a node-fetch style response)', async () => {
    const route = server.route(() => ({ body: ['data: never read\n\n'], finish: 'hang' }))
    const { outcome, calls, error, cause } = await failOnce(
      route.url,
      async (url: string, init: RequestInit) => {
        const response = await fetch(url, init)
        const body = Readable.fromWeb(response.body as never)
        return {
          status: response.status,
          url: response.url,
          headers: response.headers,
          redirected: false,
          body,
        }
      },
    )
    expect(outcome.events).toEqual(['error:2'])
    expect(outcome.readyState).toBe(EventSource.CLOSED)
    expect(calls).toEqual([route.url])
    expect(error).toMatchObject({
      reason: 'hook',
      willRetry: false,
      message:
        'EventSource option "fetch" must resolve to a Response whose body is a ReadableStream of bytes',
    })
    expect(cause).toBeInstanceOf(TypeError)
    expect(cause.message).toBe(error?.message)
    // The abort reached the real request under the wrapper: its socket is released.
    expect(await connectionsClosed(route.requests)).toEqual([true])
  })

  test('one that throws instead of returning a promise', async () => {
    const route = server.route(() => ({ body: ['data: x\n\n'] }))
    const { outcome, calls, error, cause } = await failOnce(route.url, () => {
      throw new Error('no token yet')
    })
    expect(outcome.events).toEqual(['error:2'])
    expect(calls).toEqual([route.url])
    expect(route.requests).toEqual([])
    expect(error?.message).toBe('EventSource option "fetch" threw: Error: no token yet')
    expect(cause).toBeInstanceOf(TypeError)
    expect((cause.cause as Error).message).toBe('no token yet')
  })

  test('one that resolves to nothing (a wrapper missing its return)', async () => {
    const route = server.route(() => ({ body: ['data: x\n\n'] }))
    const { outcome, calls, error } = await failOnce(
      route.url,
      async (url: string, init: RequestInit) => {
        ;(await fetch(url, init)).body?.cancel()
      },
    )
    expect(outcome.events).toEqual(['error:2'])
    expect(calls).toEqual([route.url])
    expect(error?.message).toBe(
      'EventSource option "fetch" must resolve to a Response whose body is a ReadableStream of bytes',
    )
  })

  test('one whose body yields strings (a mock stream)', async () => {
    const route = server.route(() => ({ body: ['data: x\n\n'], finish: 'hang' }))
    const { outcome, calls, error } = await failOnce(
      route.url,
      async (url: string, init: RequestInit) => {
        const response = await fetch(url, init)
        const text = response.body?.pipeThrough(new TextDecoderStream())
        return { status: 200, url, headers: response.headers, redirected: false, body: text }
      },
    )
    // The head was fine (open), the first chunk was not.
    expect(outcome.events).toEqual(['open:1', 'error:2'])
    expect(calls).toEqual([route.url])
    expect(error?.message).toBe(
      'EventSource option "fetch" must resolve to a Response whose body is a ReadableStream of bytes',
    )
    expect(await connectionsClosed(route.requests)).toEqual([true])
  })

  test('one that is not a function is refused at construction, before any request', () => {
    const route = server.route(() => ({ body: ['data: x\n\n'] }))
    const construct = () => new EventSource(route.url, { fetch: 'fetch' as never })
    expect(construct).toThrowError(TypeError)
    expect(construct).toThrowError(
      'EventSource option "fetch" must be of type function; got "fetch"',
    )
    expect(route.requests).toEqual([])
  })

  test('no fetch at all on the platform (the standard build without a global fetch)', async () => {
    const standard = (await import(
      '../dist/index.js'
    )) as unknown as typeof import('isomorphic-eventsource')
    const route = server.route(() => ({ body: ['data: x\n\n'] }))
    const saved = globalThis.fetch
    let source: EventSource
    try {
      // @ts-expect-error: a platform without fetch, for this one request
      globalThis.fetch = undefined
      source = new standard.EventSource(route.url, { retry: { initialDelay: 20 } })
    } finally {
      // The transport looks fetch up when it connects, synchronously in the constructor.
      globalThis.fetch = saved
    }
    const outcome = await watch(source, (o) => o.errors.length >= 1)
    await delay(400)
    expect(outcome.events).toEqual(['error:2'])
    expect(outcome.errors[0]?.message).toBe(
      'EventSource option "fetch" is needed: there is no fetch',
    )
    expect(route.requests).toEqual([])
  })

  test('a fetch that rejects with a network error still retries', async () => {
    const route = server.route(() => ({ body: ['data: back\n\n'], finish: 'hang' }))
    // A port nothing listens on: a real connection refused on the first attempt.
    const dead = await FixtureServer.start()
    const deadUrl = `${dead.origin}/gone`
    await dead.close()
    const urls: string[] = []
    const source = new EventSource(route.url, {
      retry: { initialDelay: 20 },
      fetch: (url, init) => {
        urls.push(url)
        return fetch(urls.length === 1 ? deadUrl : url, init)
      },
    })
    const outcome = await watch(source, (o) => o.events.includes('message:1'))
    expect(outcome.events).toEqual(['error:0', 'open:1', 'message:1'])
    expect(outcome.errors[0]).toMatchObject({ reason: 'network', willRetry: true, delay: 20 })
    expect(outcome.errors[0]?.message).toMatch(/^Network error: .*ECONNREFUSED/)
    expect(urls).toEqual([route.url, route.url])
  })
})

describe('the eventsource package surface', () => {
  test('the class carries the non-enumerable supports-fetch-override marker', () => {
    const marker = Symbol.for('eventsource.supports-fetch-override')
    expect(marker in EventSource).toBe(true)
    expect(Object.getOwnPropertyDescriptor(EventSource, marker)).toEqual({
      value: true,
      writable: false,
      enumerable: false,
      configurable: false,
    })
    expect(Object.keys(EventSource)).toEqual([
      'isomorphic',
      'supportedOptions',
      'CONNECTING',
      'OPEN',
      'CLOSED',
    ])
    // As eventsource v4 defines it.
    expect(Object.getOwnPropertyDescriptor(EventSourceV4, marker)).toEqual(
      Object.getOwnPropertyDescriptor(EventSource, marker),
    )
  })

  test('error events are instances of ErrorEvent, with code and message', async () => {
    const route = server.route(() => ({ status: 503 }))
    const outcome = await watch(new EventSource(route.url), (o) => o.errors.length >= 1)
    const [event] = outcome.errors
    expect(event).toBeInstanceOf(ErrorEvent)
    expect(event).toMatchObject({ type: 'error', code: 503, message: 'HTTP 503' })
  })
})
