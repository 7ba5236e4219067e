/**
 * The `share` option where no browser is needed: the hand-over arithmetic (sequencer.ts) and
 * the keys (key.ts) as units, and what the builds do without Web Locks: the Node build ignores
 * the option, the standard build checks it and, in Node 20 (BroadcastChannel but no Web Locks),
 * falls back to a connection of the source's own. The sharing itself runs in real browsers:
 * browser-test/share.test.ts.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { EventSource as NodeEventSource } from 'isomorphic-eventsource'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { normalizeOptions } from '../src/core/options.js'
import { shareName } from '../src/share/key.js'
import { Sequencer } from '../src/share/sequencer.js'
import type { EventSourceOptions } from '../src/types.js'
import { FixtureServer } from './fixture-server.js'

/** Feeds `ids` of `epoch` and returns those let through. */
const feed = (sequencer: Sequencer, epoch: string, ids: string[]) =>
  ids.filter((id) => sequencer.accept(epoch, id))

describe('sequencer: every event once, in order, across hand-overs', () => {
  test('within one epoch every event goes through, a repeated id too', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    expect(feed(sequencer, 'a', ['1', '2', '2', '', '3'])).toEqual(['1', '2', '2', '', '3'])
  })

  test('a new leader resuming from the last id this source saw: nothing is skipped', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1', '2', '3'])
    sequencer.begin('b', '3')
    expect(feed(sequencer, 'b', ['4', '5'])).toEqual(['4', '5'])
  })

  test('a source ahead of the new leader skips the replay of what it dispatched, in order', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1', '2', '3', '4'])
    sequencer.begin('b', '2')
    expect(feed(sequencer, 'b', ['3', '4', '5', '6'])).toEqual(['5', '6'])
  })

  test('the new leader behind by a late broadcast: the late event goes first, its replay is skipped', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1', '2'])
    // This source leads now, resuming after 2; the old leader's broadcast of 3 was in flight.
    sequencer.begin('b', '2')
    expect(sequencer.accept('a', '3')).toBe(true)
    expect(feed(sequencer, 'b', ['3', '4'])).toEqual(['4'])
  })

  test("a late broadcast after the new leader's first event is dropped (the replay has it)", () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1'])
    sequencer.begin('b', '1')
    expect(feed(sequencer, 'b', ['2'])).toEqual(['2'])
    expect(sequencer.accept('a', '2')).toBe(false)
    expect(sequencer.accept('a', '3')).toBe(false)
  })

  test('skipping ends at the first event that does not repeat: a reused id later goes through', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1', '2', '3'])
    sequencer.begin('b', '1')
    expect(feed(sequencer, 'b', ['2', '9', '3'])).toEqual(['9', '3'])
  })

  test('a resume point this source never saw skips nothing', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    feed(sequencer, 'a', ['1', '2'])
    sequencer.begin('b', '7')
    expect(feed(sequencer, 'b', ['8', '2'])).toEqual(['8', '2'])
  })

  test('a source joining an epoch (state) skips nothing; an epoch that is over never returns', () => {
    const sequencer = new Sequencer()
    expect(sequencer.begin('a')).toBe(true)
    expect(feed(sequencer, 'a', ['5', '6'])).toEqual(['5', '6'])
    expect(sequencer.begin('b', '6')).toBe(true)
    expect(sequencer.begin('a')).toBe(false)
    expect(sequencer.begin('b')).toBe(true)
    // An epoch first heard of through its events is joined, with nothing to skip.
    expect(feed(sequencer, 'c', ['6', '7'])).toEqual(['6', '7'])
  })

  test('memory is bounded: the ids of the last 512 to 1024 events are kept, no more', () => {
    const sequencer = new Sequencer()
    sequencer.begin('a', '')
    const ids = Array.from({ length: 3000 }, (_, i) => String(i))
    expect(feed(sequencer, 'a', ids)).toHaveLength(3000)
    sequencer.begin('b', '0')
    // Id 0 is long gone, so nothing is skipped; a recent resume point still works (below).
    expect(feed(sequencer, 'b', ['1', '2'])).toEqual(['1', '2'])
    sequencer.begin('c', '2997')
    expect(feed(sequencer, 'c', ['2998', '2999', '3000'])).toEqual(['3000'])
  })
})

describe('keys', () => {
  const url = 'https://example.com/stream'
  const name = (options: EventSourceOptions, at = url) =>
    shareName(at, normalizeOptions({ share: true, ...options }))

  test('a named key is the name, whatever the request', () => {
    expect(shareName(url, normalizeOptions({ share: 'feed' }))).toBe(
      'isomorphic-eventsource/share/1/name/feed',
    )
    expect(
      shareName('https://other.example/', normalizeOptions({ share: 'feed', method: 'POST' })),
    ).toBe('isomorphic-eventsource/share/1/name/feed')
  })

  test('the derived key: URL, method and credentials in clear, the rest hashed', () => {
    expect(name({})).toMatch(
      /^isomorphic-eventsource\/share\/1\/GET same-origin https:\/\/example\.com\/stream [0-9a-z]+$/,
    )
    expect(name({ withCredentials: true })).toMatch(
      /^isomorphic-eventsource\/share\/1\/GET include /,
    )
    const withToken = name({ headers: { Authorization: 'Bearer secret-token' } })
    expect(withToken.includes('secret')).toBe(false)
  })

  test('the same request gives the same key, header order and case aside', () => {
    expect(name({ headers: { 'X-A': '1', 'x-b': '2' } })).toBe(
      name({
        headers: [
          ['X-B', '2'],
          ['x-a', '1'],
        ],
      }),
    )
  })

  test('any difference in the request gives another key', () => {
    const keys = [
      name({}),
      name({}, `${url}?a=1`),
      name({ withCredentials: true }),
      name({ credentials: 'omit' }),
      name({ method: 'POST' }),
      name({ method: 'POST', body: 'a' }),
      name({ method: 'POST', body: 'b' }),
      name({ headers: { 'X-A': '1' } }),
      name({ headers: { 'X-A': '2' } }),
      name({ lastEventIdQueryParam: 'since' }),
    ]
    expect(new Set(keys).size).toBe(keys.length)
  })
})

const locks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks

describe('builds without Web Locks, and Node with them', () => {
  let server: FixtureServer
  beforeAll(async () => {
    server = await FixtureServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  /** Opens `count` sources with `init`, waits for each one's first message, closes them. */
  async function receive(
    EventSource: typeof NodeEventSource,
    init: EventSourceOptions,
    count: number,
  ): Promise<{ data: string[]; requests: number }> {
    const route = server.route(
      () => ({ body: ['id: 1\ndata: hello\n\n'], finish: 'hang' }),
      'share',
    )
    const sources = Array.from({ length: count }, () => new EventSource(route.url, init))
    try {
      const data = await Promise.all(
        sources.map(
          (source) =>
            new Promise<string>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000)
              source.onmessage = (event) => {
                clearTimeout(timer)
                resolve(event.data)
              }
            }),
        ),
      )
      return { data, requests: route.requests.length }
    } finally {
      for (const source of sources) source.close()
    }
  }

  test('the Node build ignores share: each source has its own connection', async () => {
    const headers = () => ({ 'X-A': '1' })
    expect(await receive(NodeEventSource, { share: true, headers }, 2)).toEqual({
      data: ['hello', 'hello'],
      requests: 2,
    })
  })

  test('the standard build checks share at construction', async () => {
    const { EventSource } = await import('../dist/index.js')
    const url = server.origin
    const headers = () => ({})
    for (const init of [
      { share: true, headers },
      { share: true, method: 'POST', body: () => 'x' },
      { share: true, method: 'POST', body: new Blob(['x']) },
      { share: 1 },
    ]) {
      expect(() => new EventSource(url, init as EventSourceOptions)).toThrowError(
        /^EventSource option "share" must be true, or a key name when "headers" is a function or "body" not a string/,
      )
    }
    // A named key takes any request; `false` and `''` do not share.
    for (const init of [{ share: 'k', headers }, { share: false }, { share: '' }]) {
      new EventSource(url, init).close()
    }
  })

  // Node 24 has both: the standard build shares there too, between the sources of one process
  // (and its worker threads), over Node's own Web Locks and BroadcastChannel.
  test.runIf(locks !== undefined && typeof BroadcastChannel === 'function')(
    'the standard build where Web Locks and BroadcastChannel exist (Node 24) shares one connection in the process',
    async () => {
      const { EventSource } = await import('../dist/index.js')
      expect(
        await receive(EventSource as unknown as typeof NodeEventSource, { share: true }, 3),
      ).toEqual({
        data: ['hello', 'hello', 'hello'],
        requests: 1,
      })
    },
  )

  test.runIf(locks !== undefined && typeof BroadcastChannel === 'function')(
    'there, after close() no lock, channel or timer keeps the process alive',
    async () => {
      const route = server.route(
        () => ({ body: ['id: 1\ndata: hello\n\n'], finish: 'hang' }),
        'exit',
      )
      const script = `
        const { EventSource } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)})
        const sources = [0, 1].map(() => new EventSource(${JSON.stringify(route.url)}, { share: true }))
        await Promise.all(sources.map((s) => new Promise((resolve) => { s.onmessage = resolve })))
        for (const s of sources) s.close()
        const closed = Date.now()
        process.on('exit', () => console.log(Date.now() - closed))`
      const child = spawn(process.execPath, ['--input-type=module', '-e', script])
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
      })
      const [code] = (await once(child, 'exit')) as [number | null]
      expect(code).toBe(0)
      // Exits on its own, at once (the test's timeout would catch a process kept alive).
      expect(Number(output.trim())).toBeLessThan(1000)
      expect(route.requests).toHaveLength(1)
    },
  )

  // Node 20 and 22 have BroadcastChannel and no Web Locks.
  test.runIf(locks === undefined && typeof BroadcastChannel === 'function')(
    'the standard build where there is no Web Locks (Node) connects each source on its own',
    async () => {
      const { EventSource } = await import('../dist/index.js')
      expect(
        await receive(EventSource as unknown as typeof NodeEventSource, { share: true }, 2),
      ).toEqual({
        data: ['hello', 'hello'],
        requests: 2,
      })
    },
  )
})
