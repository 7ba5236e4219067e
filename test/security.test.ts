import { EventSource, type EventSourceOptions } from 'isomorphic-eventsource'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer, type Reply } from './fixture-server.js'

let main: FixtureServer
let other: FixtureServer
beforeAll(async () => {
  main = await FixtureServer.start()
  other = await FixtureServer.start()
})
afterAll(async () => {
  await main.close()
  await other.close()
})

/** A route on `fixture` whose n-th request gets `reply(n)`. */
const server = (fixture: FixtureServer, reply: (attempt: number) => Reply) =>
  fixture.route((_request, attempt) => reply(attempt))

function firstMessage(source: EventSource): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), 5000)
    source.onmessage = (event) => {
      clearTimeout(timer)
      source.close()
      resolve(event.data)
    }
  })
}

const secrets = {
  Authorization: 'Bearer secret-token',
  Cookie: 'session=secret-cookie',
  'Proxy-Authorization': 'Basic c2VjcmV0',
  'X-Request-Id': 'harmless',
}

describe('credentials on redirects', () => {
  test('a redirect to another origin drops Authorization, Cookie and Proxy-Authorization', async () => {
    const target = other.route(() => ({ body: ['data: arrived\n\n'] }))
    const start = main.route(() => ({ status: 302, headers: { Location: target.url } }))
    expect(await firstMessage(new EventSource(start.url, { headers: secrets }))).toBe('arrived')
    expect(start.requests[0]?.headers['authorization']).toBe('Bearer secret-token')
    const seen = target.requests[0]?.headers ?? {}
    expect([seen['authorization'], seen['cookie'], seen['proxy-authorization']]).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    expect(seen['x-request-id']).toBe('harmless')
  })

  test('a redirect within the origin keeps them', async () => {
    const target = main.route(() => ({ body: ['data: arrived\n\n'] }))
    const start = main.route(() => ({ status: 307, headers: { Location: target.path } }))
    expect(await firstMessage(new EventSource(start.url, { headers: secrets }))).toBe('arrived')
    expect(target.requests[0]?.headers['authorization']).toBe('Bearer secret-token')
  })
})

describe('credentials in the URL', () => {
  /** What a source does with `url`: every error event within 300 ms after the first. */
  async function errorsOf(url: string, options: EventSourceOptions) {
    const source = new EventSource(url, options)
    const errors: Array<{ reason: string; message: string; cause: string; readyState: number }> = []
    source.addEventListener('error', (event) => {
      errors.push({
        reason: event.reason,
        message: event.message,
        cause: String(event.cause),
        readyState: source.readyState,
      })
    })
    for (let i = 0; i < 100 && errors.length === 0; i++) await tick(20)
    await tick(300)
    source.close()
    return { errors, url: source.url }
  }
  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const message = 'The URL has credentials (user:password@), which EventSource never sends'

  // As Chromium: one error, CLOSED, no request. Before, node:http sent them as Basic auth and
  // fetch failed every 3 s, forever, with the password in the message.
  for (const [transport, options] of [
    ['node:http (the default)', {}],
    ['fetch', { fetch: (input: string, init: RequestInit) => fetch(input, init) }],
    ['undici (a dispatcher)', { dispatcher: new Agent() }],
  ] as const) {
    test(`${transport}: the connection fails once, with no request and no password in any message`, async () => {
      const route = main.route(() => ({ body: ['data: x\n\n'] }))
      const url = route.url.replace('http://', 'http://user:secret@')
      const { errors, url: attribute } = await errorsOf(url, options as EventSourceOptions)
      expect(errors).toEqual([
        { reason: 'scheme', message, cause: `TypeError: ${message}`, readyState: 2 },
      ])
      expect(route.requests).toHaveLength(0)
      // The W3C attribute is the URL given, as native EventSource keeps it.
      expect(attribute).toBe(url)
    })
  }

  test('a URL that does not parse is not repeated with its password', () => {
    expect(() => new EventSource('http://user:secret@[::1')).toThrow(
      'EventSource: cannot parse the URL "http://***@[::1"',
    )
  })

  test('a redirect to a URL with credentials is not followed, nor repeated', async () => {
    const target = other.route(() => ({ body: ['data: x\n\n'] }))
    const start = main.route(() => ({
      status: 302,
      headers: { Location: target.url.replace('http://', 'http://user:secret@') },
    }))
    const { errors } = await errorsOf(start.url, { retry: false })
    expect(errors).toEqual([
      {
        reason: 'network',
        message: 'Network error: Redirect to a URL with credentials (user:password@)',
        cause: 'TypeError: Redirect to a URL with credentials (user:password@)',
        readyState: 2,
      },
    ])
    expect(target.requests).toHaveLength(0)
  })
})

describe('header injection', () => {
  test('no server-sent id can put CR, LF or NUL into Last-Event-ID', async () => {
    // CR and LF end a line, and an id with NUL is ignored: the header carries the last clean id.
    const route = main.route((_r, attempt) =>
      attempt === 0
        ? { body: ['retry: 10\nid: clean\n\nid: bad\u0000id\n\ndata: a\n\n'] }
        : { body: ['data: b\n\n'] },
    )
    const source = new EventSource(route.url)
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        if (event.data === 'b') {
          source.close()
          resolve()
        }
      }
    })
    expect(route.requests[1]?.lastEventId).toBe('clean')
  })
})

describe('server ids a request cannot carry', () => {
  test('an id with a control character, or longer than 1,024 characters, is not adopted', async () => {
    // Adopted, each would make every later reconnect fail before it is sent, forever (node:http
    // refuses the control characters; servers refuse a 64 KiB header).
    const bad = ['a\x01b', '\x1b[2J', 'del\x7f', 'x'.repeat(64 * 1024)]
    const route = server(main, (attempt) =>
      attempt < bad.length
        ? { body: [`retry: 10\nid: clean${attempt}\n\nid: ${bad[attempt]}\ndata: ${attempt}\n\n`] }
        : { body: ['id: last\ndata: done\n\n'], finish: 'hang' },
    )
    const source = new EventSource(route.url)
    const seen: string[] = []
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        seen.push(`${event.data}:${event.lastEventId.slice(0, 10)}`)
        if (event.data === 'done') resolve()
      }
    })
    source.close()
    expect(seen).toEqual(['0:clean0', '1:clean1', '2:clean2', '3:clean3', 'done:last'])
    expect(route.requests.map((request) => request.lastEventId)).toEqual([
      undefined,
      'clean0',
      'clean1',
      'clean2',
      'clean3',
    ])
  })

  test('an id of exactly 1,024 characters, with a tab and non-ASCII text, is adopted', async () => {
    const id = `é\t${'x'.repeat(1022)}`
    const route = server(main, (attempt) =>
      attempt === 0
        ? { body: [`retry: 10\nid: ${id}\ndata: a\n\n`] }
        : { body: ['data: b\n\n'], finish: 'hang' },
    )
    const source = new EventSource(route.url)
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        if (event.data === 'b') resolve()
      }
    })
    source.close()
    expect(route.requests[1]?.lastEventId).toBe(id)
  })
})

describe('memory bounds', () => {
  test('an event larger than maxBufferSize fails the connection with a clear error', async () => {
    const route = main.route(() => ({
      body: [`data: ${'x'.repeat(5000)}`, 20, 'y'.repeat(5000)],
      finish: 'hang',
    }))
    const source = new EventSource(route.url, { maxBufferSize: 4096 })
    const error = await new Promise<Event & { message?: string; willRetry?: boolean }>(
      (resolve) => {
        source.onerror = resolve
      },
    )
    expect(source.readyState).toBe(EventSource.CLOSED)
    expect(error.message).toBe('A line or event exceeded maxBufferSize (4096 bytes)')
    expect(error.willRetry).toBe(false)
    for (let i = 0; i < 50 && route.requests[0]?.connection.closed === false; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(route.requests[0]?.connection.closed).toBe(true)
  })
})
