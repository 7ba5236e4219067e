import { EventSource } from 'isomorphic-eventsource'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'

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
