import { spawn } from 'node:child_process'
import { EventSource } from 'isomorphic-eventsource'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'

let server: FixtureServer
beforeAll(async () => {
  server = await FixtureServer.start()
})
afterAll(() => server.close())

const dist = new URL('../dist/node.js', import.meta.url).href

/**
 * Runs `body` in a fresh Node process that imports the build as `EventSource`, and resolves with
 * how long the process lived after printing "closed" (it must exit on its own: nothing may keep
 * it alive once the last source is closed).
 */
function runChild(
  body: string,
): Promise<{ output: string; exitAfterCloseMs: number; code: number | null }> {
  const script = `import { EventSource } from ${JSON.stringify(dist)}\n${body}`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    let closedAt = 0
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString()
      if (closedAt === 0 && output.includes('closed')) closedAt = performance.now()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(killer)
      resolve({
        output,
        code,
        exitAfterCloseMs: closedAt === 0 ? Number.NaN : performance.now() - closedAt,
      })
    })
  })
}

describe('Node lifecycle', () => {
  // Generous bound: process teardown on a loaded shared machine. A leaked socket or timer keeps
  // the process alive for seconds (the reconnect timer for 3 s, a kept-alive socket for longer).
  const exitBound = 1000

  test('a process exits on its own right after close() of an open stream', async () => {
    const route = server.route(() => ({ body: ['data: a\n\n'], finish: 'hang' }))
    const result = await runChild(`
      const source = new EventSource(${JSON.stringify(route.url)})
      source.onmessage = (event) => { source.close(); console.log('closed', event.data) }`)
    expect(result.output).toContain('closed a')
    expect(result.code).toBe(0)
    expect(result.exitAfterCloseMs).toBeLessThan(exitBound)
  })

  test('a process exits on its own after close() while waiting to reconnect', async () => {
    const route = server.route(() => ({ body: ['data: a\n\n'] }))
    const result = await runChild(`
      const source = new EventSource(${JSON.stringify(route.url)})
      source.onerror = () => { if (source.readyState === 0) { source.close(); console.log('closed') } }`)
    expect(result.output).toContain('closed')
    expect(result.exitAfterCloseMs).toBeLessThan(exitBound)
  })

  test('a process exits on its own after close() before the response arrived', async () => {
    const route = server.route(() => ({ body: [5000, 'data: a\n\n'] }))
    const result = await runChild(`
      const source = new EventSource(${JSON.stringify(route.url)})
      setTimeout(() => { source.close(); console.log('closed') }, 100)`)
    expect(result.output).toContain('closed')
    expect(result.exitAfterCloseMs).toBeLessThan(exitBound)
    expect(route.requests).toHaveLength(1)
  })

  test('a process exits on its own after the connection failed', async () => {
    const route = server.route(() => ({ status: 503, body: ['busy'] }))
    const result = await runChild(`
      const source = new EventSource(${JSON.stringify(route.url)})
      source.onerror = () => console.log('closed', source.readyState)`)
    expect(result.output).toContain('closed 2')
    expect(result.exitAfterCloseMs).toBeLessThan(exitBound)
  })

  test('close() mid-chunk releases the socket: the server sees the connection end', async () => {
    const route = server.route(() => ({ body: ['data: 1\n\ndata: 2\n\n'], finish: 'hang' }))
    const source = new EventSource(route.url)
    const messages: string[] = []
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        messages.push(event.data)
        source.close()
        resolve()
      }
    })
    expect(messages).toEqual(['1'])
    expect(source.readyState).toBe(EventSource.CLOSED)
    const connection = route.requests[0]?.connection
    // Bounded wait for the server to see the client's FIN/RST.
    for (let i = 0; i < 100 && connection?.closed === false; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(connection?.closed).toBe(true)
  })
})

describe('which Node transport runs', () => {
  // (A dispatcher or proxy takes undici's request API: test/proxy.test.ts sees them used.)
  // undici is CommonJS: once loaded, its files are in the require cache.
  const undiciLoaded = `Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((file) => file.includes('undici'))`

  test('by default node:http: undici is never loaded', async () => {
    const route = server.route(() => ({ body: ['data: a\n\n'], finish: 'hang' }))
    const result = await runChild(`
      const source = new EventSource(${JSON.stringify(route.url)})
      source.onmessage = async (event) => { source.close(); console.log('closed', event.data, ${undiciLoaded}) }`)
    expect(result.output).toContain('closed a false')
  })
})

describe('constructor errors in Node', () => {
  test('a relative URL throws a SyntaxError that says there is no document', () => {
    expect(() => new EventSource('/stream')).toThrowError(
      /URL "\/stream" \(a relative URL needs a document\)/,
    )
    try {
      new EventSource('/stream')
    } catch (error) {
      expect(error).toBeInstanceOf(DOMException)
      expect((error as DOMException).name).toBe('SyntaxError')
    }
  })

  test('a second argument that is not an object throws a TypeError', () => {
    expect(() => new EventSource('http://127.0.0.1:1/', 5 as never)).toThrowError(TypeError)
  })

  test('a URL object is accepted and serialized', () => {
    const source = new EventSource(new URL('http://127.0.0.1:1/a b'))
    expect(source.url).toBe('http://127.0.0.1:1/a%20b')
    source.close()
  })
})
