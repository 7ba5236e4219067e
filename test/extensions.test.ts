import {
  EventSource,
  type EventSourceErrorEvent,
  type EventSourceOpenEvent,
  type EventSourceOptions,
  isEventSourceError,
} from 'isomorphic-eventsource'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer, type Reply } from './fixture-server.js'

let server: FixtureServer
beforeAll(async () => {
  server = await FixtureServer.start()
})
afterAll(() => server.close())

interface Seen {
  events: string[]
  errors: EventSourceErrorEvent[]
  opens: EventSourceOpenEvent[]
  source: EventSource
}

/**
 * Opens a source and records until `until` holds (then closes it) or `timeout` passes (then
 * fails the test with what was seen).
 */
function run(
  url: string,
  options: EventSourceOptions,
  until: (seen: Seen) => boolean,
  timeout = 5000,
): Promise<Seen> {
  const source = new EventSource(url, options)
  const seen: Seen = { events: [], errors: [], opens: [], source }
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!until(seen)) return
      clearTimeout(timer)
      source.close()
      resolve(seen)
    }
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`timed out; saw ${JSON.stringify(seen.events)}`))
    }, timeout)
    source.addEventListener('open', (event) => {
      seen.opens.push(event)
      seen.events.push(`open:${source.readyState}`)
      check()
    })
    source.addEventListener('message', (event) => {
      seen.events.push(`message:${event.data}|${event.lastEventId}`)
      check()
    })
    source.addEventListener('error', (event) => {
      seen.errors.push(event)
      seen.events.push(`error:${source.readyState}`)
      check()
    })
  })
}

const sse = (...body: Array<string | number>): Reply => ({ body })
const messages = (seen: Seen) => seen.events.filter((e) => e.startsWith('message:')).length

describe('headers', () => {
  test('tab, obs-text and a value from the function with a tab are sent as they are', async () => {
    const route = server.route(() => sse('data: ok\n\n'))
    await run(
      route.url,
      { headers: () => ({ 'X-Tab': 'a\tb', 'X-Latin': 'caf\xe9' }) },
      (s) => messages(s) >= 1,
    )
    expect([route.requests[0]?.headers['x-tab'], route.requests[0]?.headers['x-latin']]).toEqual([
      'a\tb',
      'caf\xe9',
    ])
  })

  test('a header function giving a value no request can carry fails the connection once, sending nothing', async () => {
    const route = server.route(() => sse('data: ok\n\n'))
    const seen = await run(
      route.url,
      { retry: { initialDelay: 10 }, headers: async () => ({ 'X-A': 'a\x1b' }) },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seen.events).toEqual(['error:2'])
    expect(seen.errors[0]).toMatchObject({
      reason: 'hook',
      willRetry: false,
      message:
        'EventSource option "headers" must be Latin-1 without control characters but tab in the value of "X-A"',
    })
    expect(seen.errors[0]?.cause).toBeInstanceOf(TypeError)
    expect(route.requests).toHaveLength(0)
  })

  test('static headers are sent on every request, beside Accept', async () => {
    const route = server.route((_r, attempt) => sse(`retry: 10\ndata: ${attempt}\n\n`))
    await run(
      route.url,
      { headers: { Authorization: 'Bearer abc', 'X-Trace': '1' } },
      (s) => messages(s) >= 2,
    )
    expect(
      route.requests.map((r) => [
        r.headers['authorization'],
        r.headers['x-trace'],
        r.headers['accept'],
      ]),
    ).toEqual([
      ['Bearer abc', '1', 'text/event-stream'],
      ['Bearer abc', '1', 'text/event-stream'],
    ])
  })

  test('a header function refreshes the token before each of three reconnects, keeping the position', async () => {
    const route = server.route((_r, attempt) =>
      sse(`retry: 10\nid: ${attempt + 1}\ndata: ${attempt}\n\n`),
    )
    const contexts: unknown[] = []
    await run(
      route.url,
      {
        headers: async (context) => {
          contexts.push({ ...context })
          await new Promise((resolve) => setTimeout(resolve, 5))
          return { Authorization: `Bearer token-${context.attempt}` }
        },
      },
      (s) => messages(s) >= 4,
    )
    expect(
      route.requests.slice(0, 4).map((r) => [r.headers['authorization'], r.lastEventId]),
    ).toEqual([
      ['Bearer token-1', undefined],
      ['Bearer token-2', '1'],
      ['Bearer token-3', '2'],
      ['Bearer token-4', '3'],
    ])
    expect(contexts.slice(0, 2)).toEqual([
      { attempt: 1, lastEventId: '', url: route.url },
      { attempt: 2, lastEventId: '1', url: route.url },
    ])
  })

  test('a header function that throws or rejects becomes an error event with the cause, and the source retries', async () => {
    const route = server.route(() => sse('data: ok\n\n'))
    let calls = 0
    const seen = await run(
      route.url,
      {
        retry: { initialDelay: 10 },
        headers: () => {
          calls++
          if (calls === 1) throw new Error('vault sealed')
          if (calls === 2) return Promise.reject(new Error('token service down'))
          return { Authorization: 'Bearer fresh' }
        },
      },
      (s) => messages(s) >= 1,
    )
    expect(seen.events).toEqual(['error:0', 'error:0', 'open:1', 'message:ok|'])
    expect(seen.errors.map((e) => [e.message, (e.cause as Error).message, e.willRetry])).toEqual([
      ['The "headers" option threw: vault sealed', 'vault sealed', true],
      ['The "headers" option threw: token service down', 'token service down', true],
    ])
    expect(route.requests).toHaveLength(1)
  })
})

test('a header name given twice is sent once with both values, as fetch combines them', async () => {
  const route = server.route(() => sse('data: a\n\n'))
  await run(
    route.url,
    {
      headers: [
        ['X-Tag', 'one'],
        ['x-tag', 'two'],
        ['Accept', 'text/event-stream, */*'],
      ],
    },
    (s) => messages(s) >= 1,
  )
  expect(route.requests[0]?.headers['x-tag']).toBe('one, two')
  expect(route.requests[0]?.headers['accept']).toBe('text/event-stream, */*')
})

describe('error reasons', () => {
  test('each kind of failure names its reason', async () => {
    const ended = server.route(() => sse('data: a\n\n'))
    const endSeen = await run(ended.url, { retry: false }, (s) => s.errors.length >= 1)
    const http = server.route(() => ({ status: 502 }))
    const httpSeen = await run(http.url, {}, (s) => s.errors.length >= 1)
    const type = server.route(() => ({ headers: { 'Content-Type': 'text/plain' } }))
    const typeSeen = await run(type.url, {}, (s) => s.errors.length >= 1)
    const dropped = server.route(() => ({ drop: true }))
    const networkSeen = await run(
      dropped.url,
      { retry: { maxAttempts: 2, initialDelay: 1 } },
      (s) => s.errors.length >= 2,
    )
    expect([
      endSeen.errors[0]?.reason,
      httpSeen.errors[0]?.reason,
      typeSeen.errors[0]?.reason,
      networkSeen.errors.map((e) => [e.reason, e.gaveUp, e.willRetry]),
    ]).toEqual([
      'end',
      'http',
      'content-type',
      [
        ['network', false, true],
        ['network', true, false],
      ],
    ])
  })
})

describe('method and body', () => {
  test('a POST body is re-sent on every attempt', async () => {
    const route = server.route((_r, attempt) => sse(`retry: 10\ndata: ${attempt}\n\n`))
    await run(
      route.url,
      { method: 'post', body: '{"prompt":"hi"}', headers: { 'Content-Type': 'application/json' } },
      (s) => messages(s) >= 3,
    )
    expect(route.requests.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([
      ['POST', '{"prompt":"hi"}', 'application/json'],
      ['POST', '{"prompt":"hi"}', 'application/json'],
      ['POST', '{"prompt":"hi"}', 'application/json'],
    ])
  })

  test('any method works, and a body function gives a fresh body per attempt', async () => {
    const route = server.route((_r, attempt) => sse(`retry: 10\ndata: ${attempt}\n\n`))
    await run(
      route.url,
      {
        method: 'REPORT',
        body: ({ attempt, lastEventId }) => `attempt ${attempt} after "${lastEventId}"`,
      },
      (s) => messages(s) >= 2,
    )
    expect(route.requests.map((r) => [r.method, r.body])).toEqual([
      ['REPORT', 'attempt 1 after ""'],
      ['REPORT', 'attempt 2 after ""'],
    ])
  })

  test('a one-shot stream body is not re-sent empty: the reconnect fails with a clear TypeError', async () => {
    const route = server.route(() => sse('retry: 10\ndata: once\n\n'))
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    const seen = await run(
      route.url,
      { method: 'POST', body },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    expect(route.requests.map((r) => r.body)).toEqual(['streamed'])
    expect(seen.events).toEqual(['open:1', 'message:once|', 'error:0', 'error:2'])
    const final = seen.errors[1]
    expect(final?.cause).toBeInstanceOf(TypeError)
    expect(final?.message).toMatch(/ReadableStream.*pass a function/)
  })
})

describe('resumption', () => {
  test('lastEventId seeds Last-Event-ID on the first request and is exposed', async () => {
    const route = server.route(() => sse('id: 43\ndata: next\n\n'))
    const seen = await run(route.url, { lastEventId: 'é42' }, (s) => messages(s) >= 1)
    expect(route.requests[0]?.lastEventId).toBe('é42')
    expect(seen.events).toEqual(['open:1', 'message:next|43'])
    expect(seen.source.lastEventId).toBe('43')
  })

  test('lastEventIdQueryParam also carries the id in the URL when there is one', async () => {
    const route = server.route((_r, attempt) => sse(`retry: 10\nid: n${attempt}\ndata: x\n\n`))
    await run(`${route.url}?room=1`, { lastEventIdQueryParam: 'lastId' }, (s) => messages(s) >= 3)
    expect(route.requests.map((r) => r.path.slice(route.path.length))).toEqual([
      '?room=1',
      '?room=1&lastId=n0',
      '?room=1&lastId=n1',
    ])
  })
})

describe('retry policy', () => {
  test('retry: false fails the connection when the stream ends', async () => {
    const route = server.route(() => sse('data: only\n\n'))
    const seen = await run(route.url, { retry: false }, (s) => s.errors.length >= 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(seen.events).toEqual(['open:1', 'message:only|', 'error:2'])
    expect(seen.errors[0]).toMatchObject({ willRetry: false, message: 'The stream ended' })
    expect(route.requests).toHaveLength(1)
  })

  test('failed attempts back off by the factor up to maxDelay, then give up after maxAttempts', async () => {
    const route = server.route(() => ({ drop: true }))
    const seen = await run(
      route.url,
      { retry: { initialDelay: 20, factor: 2, maxDelay: 60, maxAttempts: 5 } },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    expect(seen.errors.map((e) => [e.willRetry, e.delay])).toEqual([
      [true, 20],
      [true, 40],
      [true, 60],
      [true, 60],
      [false, undefined],
    ])
    expect(seen.errors[4]?.message).toMatch(/gave up after 5 failed attempts/)
    expect(route.requests).toHaveLength(5)
    const gaps = route.requests.slice(1).map((r, i) => r.at - (route.requests[i]?.at ?? 0))
    // Real timers on a shared machine: only a lower bound is reliable.
    expect(gaps.map((gap, i) => gap >= (seen.errors[i]?.delay ?? 0) - 5)).toEqual([
      true,
      true,
      true,
      true,
    ])
  })

  test('the server’s retry field replaces initialDelay and backoff grows from it', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? sse('retry: 15\ndata: a\n\n') : { drop: true },
    )
    const seen = await run(
      route.url,
      { retry: { initialDelay: 10, factor: 2, maxAttempts: 3 } },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    expect(seen.errors.map((e) => e.delay)).toEqual([15, 30, undefined])
  })

  test('with backoff, a server retry below initialDelay is raised to it: retry: 0 cannot storm', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? sse('retry: 0\ndata: a\n\n') : { drop: true },
    )
    const seen = await run(
      route.url,
      { retry: { initialDelay: 10, factor: 2, maxAttempts: 3 } },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    expect(seen.errors.map((e) => e.delay)).toEqual([10, 20, undefined])
  })

  test('a connection open at least resetAfter resets the failure count; a shorter one does not', async () => {
    const flapping = server.route((_r, attempt) =>
      attempt < 3 ? sse('retry: 10\ndata: a\n\n') : sse('data: b\n\n', 5000),
    )
    const quick = await run(
      flapping.url,
      { retry: { initialDelay: 10, factor: 2, resetAfter: 10_000 } },
      (s) => s.errors.length >= 3,
    )
    expect(quick.errors.map((e) => e.delay)).toEqual([10, 20, 40])

    const healthy = server.route((_r, attempt) =>
      attempt < 3 ? sse('retry: 10\ndata: a\n', 60, '\n') : sse('data: b\n\n', 5000),
    )
    const long = await run(
      healthy.url,
      { retry: { initialDelay: 10, factor: 2, resetAfter: 50 } },
      (s) => s.errors.length >= 3,
    )
    expect(long.errors.map((e) => e.delay)).toEqual([10, 10, 10])
  })

  test('jitter lengthens the delay by at most its fraction', async () => {
    const route = server.route(() => ({ drop: true }))
    const seen = await run(
      route.url,
      { retry: { initialDelay: 10, jitter: 0.5, maxAttempts: 6 } },
      (s) => s.source.readyState === EventSource.CLOSED,
    )
    const delays = seen.errors.flatMap((e) => (e.delay === undefined ? [] : [e.delay]))
    expect(delays).toHaveLength(5)
    expect(delays.every((d) => d >= 10 && d < 15)).toBe(true)
  })

  test('an HTTP error fails the connection by default, with status and code on the event', async () => {
    const route = server.route(() => ({ status: 503, headers: { 'Retry-After': '1' } }))
    const seen = await run(route.url, {}, (s) => s.errors.length >= 1)
    expect(seen.errors[0]).toMatchObject({
      status: 503,
      code: 503,
      message: 'HTTP 503',
      willRetry: false,
    })
  })

  test('opted-in statuses reconnect, after Retry-After in seconds', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? { status: 429, headers: { 'Retry-After': '0' } } : sse('data: ok\n\n'),
    )
    const seen = await run(route.url, { retry: { statuses: [429, 503] } }, (s) => messages(s) >= 1)
    expect(seen.events).toEqual(['error:0', 'open:1', 'message:ok|'])
    expect(seen.errors[0]).toMatchObject({ status: 429, willRetry: true, delay: 0 })
  })

  test('Retry-After as an HTTP date sets the delay', async () => {
    const at = new Date(Date.now() + 2000).toUTCString()
    const route = server.route(() => ({ status: 503, headers: { 'Retry-After': at } }))
    const seen = await run(route.url, { retry: { statuses: [503] } }, (s) => s.errors.length >= 1)
    const delay = seen.errors[0]?.delay ?? -1
    // The date has one-second resolution.
    expect(delay).toBeGreaterThan(500)
    expect(delay).toBeLessThanOrEqual(2000)
  })

  test('a non-idempotent method is not retried on an opted-in status unless shouldRetry says so', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? { status: 503 } : sse('data: ok\n\n'),
    )
    const seen = await run(
      route.url,
      { method: 'POST', body: 'x', retry: { statuses: [503] } },
      (s) => s.errors.length >= 1,
    )
    expect(seen.errors[0]).toMatchObject({ status: 503, willRetry: false })

    const again = server.route((_r, attempt) =>
      attempt === 0 ? { status: 503 } : sse('data: ok\n\n'),
    )
    const asked = await run(
      again.url,
      {
        method: 'POST',
        body: 'x',
        retry: { statuses: [503] },
        shouldRetry: ({ status }) => (status === 503 ? 5 : undefined),
      },
      (s) => messages(s) >= 1,
    )
    expect(asked.events).toEqual(['error:0', 'open:1', 'message:ok|'])
    expect(asked.errors[0]).toMatchObject({ willRetry: true, delay: 5 })
  })

  test('shouldRetry sees the failure and can stop a reconnect the spec would make', async () => {
    const route = server.route(() => sse('data: a\n\n'))
    const contexts: unknown[] = []
    const seen = await run(
      route.url,
      {
        shouldRetry: (context) => {
          contexts.push({
            attempt: context.attempt,
            willRetry: context.willRetry,
            delay: context.delay,
            message: context.message,
          })
          return false
        },
      },
      (s) => s.errors.length >= 1,
    )
    expect(contexts).toEqual([
      { attempt: 1, willRetry: true, delay: 3000, message: 'The stream ended' },
    ])
    expect(seen.events).toEqual(['open:1', 'message:a|', 'error:2'])
  })

  test('a shouldRetry that throws fails the connection with the cause, never an unhandled error', async () => {
    const route = server.route(() => sse('data: a\n\n'))
    const seen = await run(
      route.url,
      {
        shouldRetry: () => {
          throw new Error('bug in policy')
        },
      },
      (s) => s.errors.length >= 1,
    )
    expect(seen.errors[0]).toMatchObject({ willRetry: false })
    expect(seen.errors[0]?.cause).toMatchObject({ message: 'bug in policy' })
  })
})

describe('read timeout', () => {
  test('a server that goes silent without closing is dropped after readTimeout and reconnected', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? { body: ['retry: 10\ndata: a\n\n'], finish: 'hang' } : sse('data: b\n\n'),
    )
    const started = Date.now()
    const seen = await run(route.url, { readTimeout: 300 }, (s) => messages(s) >= 2)
    expect(seen.events).toEqual(['open:1', 'message:a|', 'error:0', 'open:1', 'message:b|'])
    expect(seen.errors[0]?.message).toBe('No data received for 300 ms')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(route.requests[0]?.connection.closed).toBe(true)
  })

  test('a readTimeout beyond what timers hold waits instead of spinning', async () => {
    // Timers overflow past 2^31 - 1 ms (Node fires them after 1 ms, with a warning): the
    // watchdog must clamp, not re-arm an overflowing timer over and over.
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    const route = server.route(() => ({ body: ['data: a\n\n'], finish: 'hang' }))
    try {
      const source = new EventSource(route.url, { readTimeout: 2 ** 32 })
      await new Promise((resolve) => source.addEventListener('message', resolve))
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect([source.readyState, route.requests.length]).toEqual([EventSource.OPEN, 1])
      source.close()
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).toEqual([])
  })

  test('it runs from the start of each attempt: a headers function that never settles ends in an error and a retry', async () => {
    const route = server.route(() => sse('data: ok\n\n'))
    let calls = 0
    const seen = await run(
      route.url,
      {
        readTimeout: 200,
        retry: { initialDelay: 10 },
        // The first call hangs forever (a token service that never answers).
        headers: () => (++calls === 1 ? new Promise<never>(() => undefined) : {}),
      },
      (s) => messages(s) >= 1,
    )
    expect(seen.events).toEqual(['error:0', 'open:1', 'message:ok|'])
    expect(seen.errors[0]).toMatchObject({
      reason: 'timeout',
      willRetry: true,
      message: 'The "headers" or "body" function did not settle within 200 ms',
    })
    expect([calls, route.requests.length]).toEqual([2, 1])
  })

  test('comments count as data: a heartbeat keeps the connection', async () => {
    const beats = Array.from({ length: 8 }, () => [': beat\n', 100] as const).flat()
    const route = server.route(() => ({
      body: ['data: a\n\n', ...beats, 'data: b\n\n'],
      finish: 'hang',
    }))
    const seen = await run(route.url, { readTimeout: 300 }, (s) => messages(s) >= 2)
    expect(seen.events).toEqual(['open:1', 'message:a|', 'message:b|'])
  })
})

describe('rich events, reconnect() and custom fetch', () => {
  test('the open event carries the status and the response headers', async () => {
    const route = server.route(() => ({
      headers: { 'Content-Type': 'text/event-stream', 'X-Stream': 'prices' },
      body: ['data: a\n\n'],
    }))
    const seen = await run(route.url, {}, (s) => messages(s) >= 1)
    expect(seen.opens[0]?.status).toBe(200)
    expect(seen.opens[0]?.headers.get('x-stream')).toBe('prices')
  })

  test('reconnect() drops the connection and reconnects at once with the last event ID, firing no error', async () => {
    const route = server.route((_r, attempt) => ({
      body: [`id: ${attempt}\ndata: ${attempt}\n\n`],
      finish: 'hang',
    }))
    let reconnected = false
    const seen = await run(route.url, {}, (s) => {
      if (messages(s) === 1 && !reconnected) {
        reconnected = true
        s.source.reconnect()
      }
      return messages(s) >= 2
    })
    expect(seen.events).toEqual(['open:1', 'message:0|0', 'open:1', 'message:1|1'])
    expect(route.requests.map((r) => r.lastEventId)).toEqual([undefined, '0'])
    expect(route.requests[0]?.connection.closed).toBe(true)
  })

  test('reconnect() reopens a failed source', async () => {
    const route = server.route((_r, attempt) =>
      attempt === 0 ? { status: 401 } : sse('data: welcome back\n\n'),
    )
    const seen = await run(route.url, {}, (s) => {
      if (s.errors.length === 1 && s.source.readyState === EventSource.CLOSED && messages(s) === 0)
        s.source.reconnect()
      return messages(s) >= 1
    })
    expect(seen.events).toEqual(['error:2', 'open:1', 'message:welcome back|'])
  })

  test('a fetch option is used for every request', async () => {
    const route = server.route((_r, attempt) => sse(`retry: 10\ndata: ${attempt}\n\n`))
    const urls: string[] = []
    await run(
      route.url,
      {
        fetch: (input, init) => {
          urls.push(input)
          return fetch(input, init)
        },
      },
      (s) => messages(s) >= 2,
    )
    expect(urls).toEqual([route.url, route.url])
  })
})

describe('async iteration', () => {
  test('for await yields messages and leaving the loop early closes the source', async () => {
    const route = server.route(() => ({
      body: ['data: 1\n\ndata: 2\n\ndata: 3\n\n'],
      finish: 'hang',
    }))
    const source = new EventSource(route.url)
    const data: string[] = []
    for await (const event of source) {
      data.push(event.data)
      if (data.length === 2) break
    }
    expect(data).toEqual(['1', '2'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    for (let i = 0; i < 50 && route.requests[0]?.connection.closed === false; i++)
      await new Promise((r) => setTimeout(r, 20))
    expect(route.requests[0]?.connection.closed).toBe(true)
  })

  test("events('*') yields every message event, whatever its type", async () => {
    const route = server.route(() => ({
      body: ['data: plain\n\nevent: unknown-to-us\ndata: named\n\nevent: done\ndata:\n\n'],
      finish: 'hang',
    }))
    const source = new EventSource(route.url)
    const seen: string[] = []
    for await (const event of source.events('*')) {
      seen.push(`${event.type}:${event.data}`)
      if (event.type === 'done') break
    }
    expect(seen).toEqual(['message:plain', 'unknown-to-us:named', 'done:'])
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  test('events() takes named types and ends when the source is closed', async () => {
    const route = server.route(() => ({
      body: ['event: token\ndata: Hel\n\nevent: token\ndata: lo\n\nevent: done\ndata:\n\n'],
      finish: 'hang',
    }))
    const source = new EventSource(route.url)
    const seen: string[] = []
    for await (const event of source.events(['token', 'done'])) {
      seen.push(`${event.type}:${event.data}`)
      if (event.type === 'done') source.close()
    }
    expect(seen).toEqual(['token:Hel', 'token:lo', 'done:'])
  })

  test('next() called twice before an event arrives settles both, in order', async () => {
    const route = server.route(() => ({ body: [50, 'data: 1\n\ndata: 2\n\n'], finish: 'hang' }))
    const source = new EventSource(route.url)
    const iterator = source.events()
    const [first, second] = await Promise.all([iterator.next(), iterator.next()])
    expect([first.value?.data, second.value?.data]).toEqual(['1', '2'])
    const third = iterator.next()
    const end = iterator.return?.()
    expect(await third).toEqual({ value: undefined, done: true })
    expect(await end).toEqual({ value: undefined, done: true })
    expect(source.readyState).toBe(EventSource.CLOSED)
  })

  /** A stream of `count` events numbered from 1, in one write, that stays open. */
  const flood = (count: number) => {
    let body = ''
    for (let i = 1; i <= count; i++) body += `data: ${i}\n\n`
    return server.route(() => ({ body: [body], finish: 'hang' }))
  }
  /** Resolves once `done()` holds, polling (bounded: 10 s). */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20))
  }
  /** Takes every event a loop yields; what it threw, if anything, comes last. */
  const drain = async (events: AsyncIterable<{ data: string }>) => {
    const taken: string[] = []
    try {
      for await (const event of events) taken.push(event.data)
    } catch (error) {
      return { taken, error }
    }
    return { taken, error: undefined }
  }

  test('a loop that falls more than maxQueue events behind gets those, then an overflow error', async () => {
    const source = new EventSource(flood(5000).url)
    let dispatched = 0
    source.addEventListener('message', () => dispatched++)
    const events = source.events(['message'], { maxQueue: 1000 })
    // The loop takes nothing until the source has stopped: it closed itself at the 1,001st.
    await until(() => source.readyState === EventSource.CLOSED)
    expect(dispatched).toBe(1001)
    const { taken, error } = await drain(events)
    expect(taken).toEqual(Array.from({ length: 1000 }, (_, i) => String(i + 1)))
    expect(isEventSourceError(error)).toBe(true)
    expect(error).toMatchObject({
      message: 'The loop fell more than 1000 events behind (events() maxQueue)',
      event: { reason: 'overflow', willRetry: false },
    })
  })

  test("overflow: 'drop-oldest' keeps the newest maxQueue events and goes on", async () => {
    const source = new EventSource(flood(5000).url)
    let dispatched = 0
    source.addEventListener('message', () => dispatched++)
    const events = source.events(['message'], { maxQueue: 1000, overflow: 'drop-oldest' })
    await until(() => dispatched === 5000)
    expect(source.readyState).toBe(EventSource.OPEN)
    source.close()
    const { taken, error } = await drain(events)
    expect([taken.length, taken[0], taken[999], error]).toEqual([1000, '4001', '5000', undefined])
  })

  test('for await holds at most 10,000 events by default', async () => {
    const source = new EventSource(flood(12_000).url)
    const loop = source[Symbol.asyncIterator]()
    await until(() => source.readyState === EventSource.CLOSED)
    const { taken, error } = await drain({ [Symbol.asyncIterator]: () => loop })
    expect([taken.length, taken[9999], (error as Error | undefined)?.message]).toEqual([
      10_000,
      '10000',
      'The loop fell more than 10000 events behind (events() maxQueue)',
    ])
  })

  test('events() refuses a bad maxQueue or overflow with a TypeError naming it', () => {
    const source = new EventSource('http://127.0.0.1:9/', { retry: false })
    expect(() => source.events(['message'], { maxQueue: 0 })).toThrow(
      new TypeError(
        'EventSource option "events().maxQueue" must be a number from 1 to Infinity; got 0',
      ),
    )
    expect(() => source.events('*', { overflow: 'drop' as never })).toThrow(
      new TypeError(
        'EventSource option "events().overflow" must be "error" or "drop-oldest"; got "drop"',
      ),
    )
    source.close()
  })

  test('isEventSourceError recognises one from another realm', async () => {
    const { runInNewContext } = await import('node:vm')
    const foreign = runInNewContext(
      'const e = new Error("HTTP 404"); e.name = "EventSourceError"; e',
    ) as unknown
    expect(foreign instanceof Error).toBe(false)
    expect(isEventSourceError(foreign)).toBe(true)
    expect(isEventSourceError(runInNewContext('new Error("x")'))).toBe(false)
    expect(isEventSourceError({ name: 'EventSourceError', message: 'forged' })).toBe(false)
  })

  test('a failed connection ends the loop with an EventSourceError carrying the status', async () => {
    const route = server.route(() => ({ status: 404 }))
    const source = new EventSource(route.url)
    const error = await (async () => {
      try {
        for await (const _ of source) {
          // nothing arrives
        }
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(isEventSourceError(error)).toBe(true)
    expect(error).toMatchObject({ name: 'EventSourceError', status: 404, message: 'HTTP 404' })
  })
})

describe('bad options get a TypeError naming the option', () => {
  const url = 'http://127.0.0.1:9/'
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 5, /second argument must be an object/],
    ['method with CR', { method: 'GET\r\n' }, /"method"/],
    ['CONNECT', { method: 'CONNECT' }, /"method"/],
    ['GET with a body', { body: 'x' }, /"body"/],
    ['header value with LF', { headers: { 'X-A': 'a\nInjected: 1' } }, /"headers".*control/],
    // RFC 9110 field values: node:http refuses these too, so every attempt would fail, forever.
    ['header value with \\x01', { headers: { 'X-A': 'a\x01' } }, /"headers".*"X-A"/],
    ['header value with ESC', { headers: [['X-A', '\x1b[31m']] }, /"headers".*"X-A"/],
    ['header value with DEL', { headers: new Headers({ 'X-A': 'a\x7f' }) }, /"headers".*"x-a"/],
    ['lastEventId with \\x01', { lastEventId: 'a\x01' }, /"lastEventId".*control characters/],
    ['lastEventId with ESC', { lastEventId: '\x1b' }, /"lastEventId"/],
    ['header name with space', { headers: { 'Bad Name': 'x' } }, /"headers"/],
    ['Last-Event-ID header', { headers: { 'Last-Event-ID': '1' } }, /"lastEventId" option/],
    ['lastEventId with NUL', { lastEventId: 'a\0' }, /"lastEventId"/],
    ['lastEventId not a string', { lastEventId: 5 }, /"lastEventId"/],
    ['negative initialDelay', { retry: { initialDelay: -1 } }, /"retry.initialDelay"/],
    ['NaN maxDelay', { retry: { maxDelay: Number.NaN } }, /"retry.maxDelay"/],
    ['factor below 1', { retry: { factor: 0.5 } }, /"retry.factor"/],
    ['jitter above 1', { retry: { jitter: 2 } }, /"retry.jitter"/],
    ['maxAttempts 0', { retry: { maxAttempts: 0 } }, /"retry.maxAttempts"/],
    ['bad status', { retry: { statuses: [99] } }, /"retry.statuses"/],
    ['retry: true', { retry: true }, /"retry"/],
    ['readTimeout 0', { readTimeout: 0 }, /"readTimeout"/],
    ['shouldRetry not a function', { shouldRetry: 'yes' }, /"shouldRetry"/],
    ['fetch not a function', { fetch: {} }, /"fetch"/],
    ['credentials', { credentials: 'always' }, /"credentials"/],
    ['proxy scheme', { proxy: 'socks5://user:pw@127.0.0.1:1' }, /"proxy"/],
    ['maxBufferSize 0', { maxBufferSize: 0 }, /"maxBufferSize"/],
    ['headers a number', { headers: 5 }, /"headers"/],
    ['method a number', { method: 5 }, /"method"/],
    ['pauseWhenHidden a string', { pauseWhenHidden: 'yes' }, /"pauseWhenHidden"/],
    ['dispatcher a string', { dispatcher: 'agent' }, /"dispatcher"/],
    ['lastEventIdQueryParam empty', { lastEventIdQueryParam: '' }, /"lastEventIdQueryParam"/],
  ]
  for (const [name, options, pattern] of cases) {
    test(name, () => {
      expect(() => new EventSource(url, options as EventSourceOptions)).toThrowError(pattern)
      expect(() => new EventSource(url, options as EventSourceOptions)).toThrowError(TypeError)
    })
  }

  test('an error about the proxy never shows its credentials', () => {
    expect(() => new EventSource(url, { proxy: 'socks5://user:pw@127.0.0.1:1' })).not.toThrowError(
      /pw/,
    )
  })
})
