import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventSource, type EventSourceErrorEvent } from 'isomorphic-eventsource'
import { Agent, ProxyAgent } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FixtureServer } from './fixture-server.js'
import { ProxyServer } from './support/proxy-server.js'
import { HttpsEventServer, testCertificates } from './support/tls.js'

// Every test starts servers and waits for a real connection; none should come near this.
const TEST_TIMEOUT = 10_000
const SETTLE_TIMEOUT = 7_000

// The library reads these when a source is created: keep the runner's own settings (a developer
// behind a corporate proxy) out of these tests, and put them back afterwards.
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']
const NO_PROXY_VARIABLES = ['NO_PROXY', 'no_proxy']
const savedEnvironment = new Map<string, string | undefined>()

let server: FixtureServer
beforeAll(async () => {
  for (const name of [...PROXY_VARIABLES, ...NO_PROXY_VARIABLES]) {
    savedEnvironment.set(name, process.env[name])
    delete process.env[name]
  }
  server = await FixtureServer.start()
  await testCertificates() // openssl runs once, outside any test's time budget
}, 30_000)
afterAll(async () => {
  await server.close()
  for (const [name, value] of savedEnvironment) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

/** A stream of two events that stays open. */
function twoEvents(name: string) {
  return server.route(() => ({ body: ['data: one\n\n', 'data: two\n\n'], finish: 'hang' }), name)
}

interface Outcome {
  readonly data: string[]
  /** The final error event, when the connection failed. */
  readonly error: EventSourceErrorEvent | undefined
  /** readyState when the outcome was decided (before the source is closed). */
  readonly readyState: number
}

/**
 * Waits until `source` has received `count` messages or has failed for good (an error event with
 * readyState CLOSED, as `retry: false` makes every error), then closes it.
 */
function settle(source: EventSource, count = 2): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const data: string[] = []
    const timer = setTimeout(() => {
      const state = source.readyState
      source.close()
      reject(new Error(`no outcome in ${SETTLE_TIMEOUT} ms: data ${data}, readyState ${state}`))
    }, SETTLE_TIMEOUT)
    const finish = (error: EventSourceErrorEvent | undefined) => {
      clearTimeout(timer)
      const readyState = source.readyState
      source.close()
      resolve({ data, error, readyState })
    }
    source.addEventListener('message', (event) => {
      data.push(event.data)
      if (data.length === count) finish(undefined)
    })
    source.addEventListener('error', (event) => {
      if (source.readyState === EventSource.CLOSED) finish(event)
    })
  })
}

/** An error and its causes, names, codes and messages, as one line (bounded depth). */
function describeError(error: unknown): string {
  const parts: string[] = []
  let current = error
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (!(current instanceof Error)) {
      parts.push(String(current))
      break
    }
    const code = (current as { code?: unknown }).code
    parts.push(
      `${current.name}${code === undefined ? '' : ` [${String(code)}]`}: ${current.message}`,
    )
    if (current instanceof AggregateError) parts.push(...current.errors.map(describeError))
    current = current.cause
  }
  return parts.join(' <- ')
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => probe.once('listening', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

describe('the proxy option', () => {
  test(
    'a source with the proxy option receives an http:// stream through that proxy',
    async () => {
      const proxy = await ProxyServer.start()
      try {
        const route = twoEvents('via-proxy')
        const outcome = await settle(new EventSource(route.url, { proxy: proxy.url, retry: false }))
        expect(outcome.error?.message).toBeUndefined()
        expect(outcome.data).toEqual(['one', 'two'])
        // As curl does: plain http:// goes to the proxy as an absolute-form GET, not CONNECT
        // (many proxies allow CONNECT only to port 443).
        expect(proxy.requests.map((request) => [request.method, request.target])).toEqual([
          ['GET', route.url],
        ])
        expect(route.requests).toHaveLength(1)
        expect(route.requests[0]?.path).toBe(route.path)
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'the proxy option also takes a URL object',
    async () => {
      const proxy = await ProxyServer.start()
      try {
        const route = twoEvents('via-proxy-url')
        const source = new EventSource(route.url, { proxy: new URL(proxy.url), retry: false })
        const outcome = await settle(source)
        expect(outcome.data).toEqual(['one', 'two'])
        expect(proxy.requests).toHaveLength(1)
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'a forwarding ProxyAgent as the dispatcher sends the absolute URL to the proxy',
    async () => {
      const proxy = await ProxyServer.start()
      const dispatcher = new ProxyAgent({ uri: proxy.url, proxyTunnel: false })
      try {
        const route = twoEvents('absolute-form')
        const outcome = await settle(new EventSource(route.url, { dispatcher, retry: false }))
        expect(outcome.data).toEqual(['one', 'two'])
        expect(proxy.requests).toEqual([
          { method: 'GET', target: route.url, proxyAuthorization: undefined },
        ])
        expect(route.requests[0]?.headers['accept']).toBe('text/event-stream')
      } finally {
        await dispatcher.close()
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'the dispatcher option takes precedence over the proxy option',
    async () => {
      const proxy = await ProxyServer.start()
      const dispatcher = new Agent()
      try {
        const route = twoEvents('dispatcher-wins')
        const source = new EventSource(route.url, { dispatcher, proxy: proxy.url, retry: false })
        const outcome = await settle(source)
        expect(outcome.data).toEqual(['one', 'two'])
        expect(proxy.requests).toEqual([])
      } finally {
        await dispatcher.close()
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )
})

describe('HTTPS through a proxy', () => {
  test(
    'an https:// stream is tunnelled with CONNECT and verified against the given CA',
    async () => {
      const { ca } = await testCertificates()
      const https = await HttpsEventServer.start()
      const proxy = await ProxyServer.start()
      const dispatcher = new ProxyAgent({ uri: proxy.url, requestTls: { ca } })
      try {
        const outcome = await settle(new EventSource(https.url, { dispatcher, retry: false }))
        expect(outcome.error?.message).toBeUndefined()
        expect(outcome.data).toEqual(['one', 'two'])
        // Only the tunnel: the proxy never saw the path, which travelled inside TLS.
        expect(proxy.requests).toEqual([
          { method: 'CONNECT', target: https.authority, proxyAuthorization: undefined },
        ])
        expect(https.requests.map((request) => request.path)).toEqual(['/events'])
      } finally {
        await dispatcher.close()
        await proxy.close()
        await https.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'TLS stays verified through the proxy option: an untrusted certificate fails the connection',
    async () => {
      const https = await HttpsEventServer.start()
      const proxy = await ProxyServer.start()
      try {
        const outcome = await settle(new EventSource(https.url, { proxy: proxy.url, retry: false }))
        expect(outcome.data).toEqual([])
        expect(outcome.readyState).toBe(EventSource.CLOSED)
        expect(outcome.error?.willRetry).toBe(false)
        expect(describeError(outcome.error?.cause)).toMatch(/certificate/i)
        // The tunnel was made; it is the TLS handshake inside it that the client refused.
        expect(proxy.requests).toEqual([
          { method: 'CONNECT', target: https.authority, proxyAuthorization: undefined },
        ])
        expect(https.requests).toEqual([])
      } finally {
        await proxy.close()
        await https.close()
      }
    },
    TEST_TIMEOUT,
  )
})

describe('TLS without a proxy', () => {
  test(
    'an https:// stream with a certificate from an unknown CA fails by default',
    async () => {
      const https = await HttpsEventServer.start()
      try {
        const outcome = await settle(new EventSource(https.url, { retry: false }))
        expect(outcome.data).toEqual([])
        expect(outcome.readyState).toBe(EventSource.CLOSED)
        expect(outcome.error?.willRetry).toBe(false)
        expect(outcome.error?.status).toBeUndefined()
        expect(describeError(outcome.error?.cause)).toMatch(/certificate/i)
        expect(https.requests).toEqual([])
      } finally {
        await https.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'a dispatcher that trusts the CA receives the same https:// stream',
    async () => {
      const { ca } = await testCertificates()
      const https = await HttpsEventServer.start()
      const dispatcher = new Agent({ connect: { ca } })
      try {
        const outcome = await settle(new EventSource(https.url, { dispatcher, retry: false }))
        expect(outcome.error?.message).toBeUndefined()
        expect(outcome.data).toEqual(['one', 'two'])
        expect(https.requests).toHaveLength(1)
      } finally {
        await dispatcher.close()
        await https.close()
      }
    },
    TEST_TIMEOUT,
  )
})

describe('proxy credentials', () => {
  const credentials = 'user:secret'

  test(
    'they are not in the error message when the proxy is unreachable',
    async () => {
      const route = twoEvents('unreachable-proxy')
      const proxyUrl = `http://${credentials}@127.0.0.1:${await closedPort()}`
      const outcome = await settle(new EventSource(route.url, { proxy: proxyUrl, retry: false }))
      expect(outcome.readyState).toBe(EventSource.CLOSED)
      expect(outcome.error).toBeDefined()
      expect(outcome.error?.message).not.toContain('secret')
      expect(describeError(outcome.error?.cause)).not.toContain('secret')
      expect(route.requests).toEqual([])
    },
    TEST_TIMEOUT,
  )

  test(
    'they are not in the error message when the proxy refuses them with 407',
    async () => {
      const proxy = await ProxyServer.start({ credentials: 'user:other' })
      try {
        const route = twoEvents('proxy-407')
        const proxyUrl = `http://${credentials}@127.0.0.1:${proxy.port}`
        const outcome = await settle(new EventSource(route.url, { proxy: proxyUrl, retry: false }))
        expect(outcome.readyState).toBe(EventSource.CLOSED)
        expect(outcome.error).toBeDefined()
        expect(outcome.error?.message).not.toContain('secret')
        expect(describeError(outcome.error?.cause)).not.toContain('secret')
        // They were sent, to the proxy only, so their absence above means something.
        const sent = `Basic ${Buffer.from(credentials).toString('base64')}`
        expect(proxy.requests.map((request) => request.proxyAuthorization)).toEqual([sent])
        expect(route.requests).toEqual([])
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'a proxy that requires them lets the stream through, and the origin never sees them',
    async () => {
      const proxy = await ProxyServer.start({ credentials })
      try {
        const route = twoEvents('proxy-auth')
        const proxyUrl = `http://${credentials}@127.0.0.1:${proxy.port}`
        const outcome = await settle(new EventSource(route.url, { proxy: proxyUrl, retry: false }))
        expect(outcome.data).toEqual(['one', 'two'])
        expect(proxy.requests).toHaveLength(1)
        expect(route.requests[0]?.headers['proxy-authorization']).toBeUndefined()
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test('they are not in the TypeError of an invalid proxy option', () => {
    let thrown: unknown
    try {
      new EventSource(`${server.origin}/never`, { proxy: `ftp://${credentials}@127.0.0.1:1` })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expect(String(thrown)).toMatch(/proxy/)
    expect(String(thrown)).not.toContain('secret')
  })
})

describe('proxy settings from the environment (in a child process)', () => {
  const dist = new URL('../dist/node.js', import.meta.url).href

  interface ChildOutcome {
    readonly data: string[]
    readonly error?: string
    readonly cause?: string
  }

  /**
   * Opens `url` in a fresh Node process with `env` on top of this one's (without any proxy
   * variables; `undefined` removes a variable), so that its proxy settings cannot leak into other
   * tests; resolves with what the source received.
   */
  function runChild(
    url: string,
    env: Record<string, string | undefined>,
    options: Record<string, unknown> = {},
  ): Promise<ChildOutcome> {
    const script = `
      import { EventSource } from ${JSON.stringify(dist)}
      const source = new EventSource(${JSON.stringify(url)}, {
        retry: false,
        ...${JSON.stringify(options)},
      })
      const data = []
      const report = (outcome) => {
        source.close()
        console.log(JSON.stringify(outcome))
        process.exit(0)
      }
      source.onmessage = (event) => {
        data.push(event.data)
        if (data.length === 2) report({ data })
      }
      source.onerror = (event) => {
        if (source.readyState !== EventSource.CLOSED) return
        let cause = event.cause
        const causes = []
        for (let depth = 0; depth < 8 && cause != null; depth++) {
          causes.push(String(cause.code ?? '') + ' ' + String(cause.message ?? cause))
          cause = cause.cause
        }
        report({ data, error: event.message, cause: causes.join(' <- ') })
      }
      setTimeout(() => report({ data, error: 'no outcome in the child' }), ${SETTLE_TIMEOUT})`
    const childEnv: Record<string, string | undefined> = { ...process.env }
    for (const name of [...PROXY_VARIABLES, ...NO_PROXY_VARIABLES]) delete childEnv[name]
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[name]
      else childEnv[name] = value
    }
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      const killer = setTimeout(() => child.kill('SIGKILL'), SETTLE_TIMEOUT + 1500)
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.on('error', reject)
      child.on('exit', (code, signal) => {
        clearTimeout(killer)
        const line = stdout.trim().split('\n').at(-1) ?? ''
        try {
          resolve(JSON.parse(line) as ChildOutcome)
        } catch {
          reject(new Error(`child exited (${code ?? signal}) without an outcome:\n${stderr}`))
        }
      })
    })
  }

  test.each(['HTTP_PROXY', 'http_proxy'])(
    '%s sends a source without the proxy option through that proxy',
    async (variable) => {
      const proxy = await ProxyServer.start()
      try {
        const route = twoEvents(`env-${variable}`)
        const outcome = await runChild(route.url, { [variable]: proxy.url })
        expect(outcome).toEqual({ data: ['one', 'two'] })
        expect(proxy.requests.map((request) => [request.method, request.target])).toEqual([
          ['GET', route.url],
        ])
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'NO_PROXY naming the host bypasses the proxy from the environment',
    async () => {
      const proxy = await ProxyServer.start()
      try {
        const route = twoEvents('env-no-proxy')
        const env = { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }
        const outcome = await runChild(route.url, env)
        expect(outcome).toEqual({ data: ['one', 'two'] })
        expect(proxy.requests).toEqual([])
        expect(route.requests).toHaveLength(1)
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'proxy: false ignores HTTP_PROXY',
    async () => {
      const proxy = await ProxyServer.start()
      try {
        const route = twoEvents('env-proxy-false')
        const outcome = await runChild(route.url, { HTTP_PROXY: proxy.url }, { proxy: false })
        expect(outcome).toEqual({ data: ['one', 'two'] })
        expect(proxy.requests).toEqual([])
        expect(route.requests).toHaveLength(1)
      } finally {
        await proxy.close()
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'HTTPS_PROXY tunnels an https:// stream with CONNECT, verified against the trusted CAs',
    async () => {
      const { ca } = await testCertificates()
      const dir = await mkdtemp(join(tmpdir(), 'isomorphic-eventsource-ca-'))
      const https = await HttpsEventServer.start()
      const proxy = await ProxyServer.start()
      try {
        const caFile = join(dir, 'ca.pem')
        await writeFile(caFile, ca)
        const env = { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile }
        const outcome = await runChild(https.url, env)
        expect(outcome).toEqual({ data: ['one', 'two'] })
        expect(proxy.requests).toEqual([
          { method: 'CONNECT', target: https.authority, proxyAuthorization: undefined },
        ])
      } finally {
        await proxy.close()
        await https.close()
        await rm(dir, { recursive: true, force: true })
      }
    },
    TEST_TIMEOUT,
  )

  test(
    'HTTPS_PROXY does not relax TLS: without the CA the tunnelled stream fails',
    async () => {
      const https = await HttpsEventServer.start()
      const proxy = await ProxyServer.start()
      try {
        // This runner's own extra CAs stay out: only the system store is trusted.
        const env = { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: undefined }
        const outcome = await runChild(https.url, env)
        expect(outcome.data).toEqual([])
        expect(outcome.cause).toMatch(/certificate/i)
        expect(proxy.requests.map((request) => request.method)).toEqual(['CONNECT'])
        expect(https.requests).toEqual([])
      } finally {
        await proxy.close()
        await https.close()
      }
    },
    TEST_TIMEOUT,
  )
})
