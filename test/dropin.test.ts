/**
 * Drop-in where a library imports `eventsource` by name: a fixture project installs the real
 * Model Context Protocol SDK with `overrides: { eventsource: <our tarball> }` (what a user does to
 * get our resilience into the SDK), then
 * - the SDK's `SSEClientTransport`, in a child process, talks to the SDK's own SSE server
 *   (`SSEServerTransport` on node:http, loopback, in this process): connect, list tools, call a
 *   tool, notifications, an `Authorization` header through `requestInit`, a dropped stream, close;
 * - TypeScript written against eventsource v4's types, and against the SDK's, type-checks with
 *   `eventsource` resolved to ours.
 *
 * The SDK's SSE server sends no `id:` fields and its client replaces the request headers with its
 * own, so there is no Last-Event-ID to resume from: after a drop the source reconnects and the
 * server opens a new session, whose `endpoint` event the client follows.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  installProject,
  nodeTypes,
  packTarball,
  repo,
  typecheck,
} from './packaging/fixture-project.js'
import { lastJsonLine, run } from './packaging/run.js'

const fixture = (name: string) => fileURLToPath(new URL(`./packaging/${name}`, import.meta.url))
const sdkVersion = (
  JSON.parse(
    readFileSync(join(repo, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8'),
  ) as { version: string }
).version

let work: string
let project: string
let tarball: string

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ies-dropin-'))
  tarball = await packTarball(work)
  project = join(work, 'sdk-consumer')
  // The SDK at the version the repository locks; `eventsource` wherever it is, ours.
  const ms = await installProject(project, {
    name: 'sdk-consumer',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { '@modelcontextprotocol/sdk': sdkVersion },
    overrides: { eventsource: `file:${tarball}` },
  })
  console.log(`dropin: fixture project (MCP SDK ${sdkVersion}, our tarball) installed in ${ms} ms`)
  for (const name of ['mcp-client.mjs', 'eventsource-v4-consumer.ts', 'mcp-consumer.ts'])
    copyFileSync(fixture(name), join(project, name))
}, 240_000)

afterAll(() => {
  if (work !== undefined && process.env['KEEP_PACKAGE_TEST'] !== '1')
    rmSync(work, { recursive: true, force: true })
})

test('npm resolves every `eventsource` in the project to our tarball', async () => {
  const ls = await run('npm', ['ls', 'eventsource', '--all', '--json'], { cwd: project })
  const tree = JSON.parse(ls.stdout) as {
    dependencies: Record<string, { dependencies?: Record<string, unknown> }>
  }
  const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    version: string
  }
  expect(tree.dependencies['@modelcontextprotocol/sdk']?.dependencies).toEqual({
    eventsource: expect.objectContaining({ version, resolved: `file:${tarball}` }),
  })
  const installed = JSON.parse(
    readFileSync(join(project, 'node_modules/eventsource/package.json'), 'utf8'),
  ) as { name: string }
  expect(installed.name).toBe('isomorphic-eventsource')
})

/** What the SDK's SSE server saw of one request. */
interface Seen {
  method: string
  path: string
  headers: IncomingHttpHeaders
}

/**
 * The SDK's SSE server as its examples set it up on node:http: one `SSEServerTransport` and one
 * `McpServer` per stream (GET /sse), messages POSTed to /messages?sessionId=…. Every stream
 * opens with a logging notification `connected N`; the tools are `whoami` (the Authorization the
 * POST carried and the session's number), `notify` (four notifications) and `drop` (destroys the
 * stream's socket just after answering).
 */
async function startSdkServer() {
  const requests: Seen[] = []
  const failures: unknown[] = []
  const sessions = new Map<string, SSEServerTransport>()
  const streams: http.ServerResponse[] = []
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/sse') {
        const number = streams.push(res)
        const transport = new SSEServerTransport('/messages', res)
        sessions.set(transport.sessionId, transport)
        const mcp = new McpServer(
          { name: 'fixture-server', version: '1.0.0' },
          { capabilities: { logging: {} } },
        )
        mcp.registerTool('whoami', { description: 'Who is asking' }, (extra) => ({
          content: [
            {
              type: 'text',
              text: `${extra.requestInfo?.headers['authorization']} in session ${number}`,
            },
          ],
        }))
        mcp.registerTool('notify', { description: 'Sends four notifications' }, async () => {
          for (let i = 1; i <= 4; i++)
            await mcp.server.sendLoggingMessage({ level: 'info', data: `note ${i}` })
          return { content: [{ type: 'text', text: 'sent 4' }] }
        })
        mcp.registerTool('drop', { description: 'Drops the stream' }, () => {
          // After the answer has gone out on this stream.
          setTimeout(() => res.destroy(), 100)
          return { content: [{ type: 'text', text: 'dropping' }] }
        })
        await mcp.connect(transport)
        await mcp.server.sendLoggingMessage({ level: 'info', data: `connected ${number}` })
        return
      }
      const transport = sessions.get(url.searchParams.get('sessionId') ?? '')
      if (req.method === 'POST' && url.pathname === '/messages' && transport !== undefined) {
        await transport.handlePostMessage(req, res)
        return
      }
      res.writeHead(404).end()
    }
    handle().catch((error: unknown) => failures.push(error))
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/sse`,
    requests,
    failures,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe("the MCP SDK's SSE client on our EventSource", () => {
  test('connects, lists and calls tools, gets notifications, rides out a drop, closes and exits', async () => {
    const server = await startSdkServer()
    try {
      const started = Date.now()
      const result = await run(process.execPath, ['mcp-client.mjs', server.url, 's3cret'], {
        cwd: project,
        timeout: 30_000,
      })
      console.log(`dropin: the MCP client ran in ${Date.now() - started} ms`)
      expect(result.timedOut, 'the client process is still running after close()').toBe(false)
      expect(result.code, result.stderr).toBe(0)
      const seen = lastJsonLine(result.stdout)
      expect(seen).toEqual({
        // ESM and CommonJS both get our Node build; the SDK's instance is of our class.
        resolved: { esm: 'eventsource/dist/node.js', cjs: 'eventsource/dist/node.cjs' },
        ours: true,
        marker: true,
        tools: ['whoami', 'notify', 'drop'],
        whoami: 'Bearer s3cret in session 1',
        notify: 'sent 4',
        drop: 'dropping',
        afterDrop: 'Bearer s3cret in session 2',
        stateBeforeClose: 1,
        stateAfterClose: 2,
        notes: ['connected 1', 'note 1', 'note 2', 'note 3', 'note 4', 'connected 2'],
        errors: [
          {
            // The SDK wraps our error event, which says a reconnect follows in 200 ms.
            name: 'Error',
            message: expect.stringMatching(/^SSE error: Network error: /),
            code: null,
            errorEvent: true,
            reason: 'network',
            willRetry: true,
            delay: 200,
          },
        ],
      })

      const streams = server.requests.filter((r) => r.method === 'GET')
      const posts = server.requests.filter((r) => r.method === 'POST')
      // Both streams carry the SDK's headers, the user's fetch's and the spec's Accept; the
      // second also the protocol version negotiated meanwhile. The SDK's fetch replaces the
      // request headers, so no Last-Event-ID (its server sends no ids to resume from anyway).
      expect(
        streams.map(({ path, headers }) => ({
          path,
          accept: headers['accept'],
          authorization: headers['authorization'],
          client: headers['x-client'],
          version: headers['mcp-protocol-version'] !== undefined,
          lastEventId: headers['last-event-id'],
        })),
      ).toEqual(
        [false, true].map((version) => ({
          path: '/sse',
          accept: 'text/event-stream',
          authorization: 'Bearer s3cret',
          client: 'fixture',
          version,
          lastEventId: undefined,
        })),
      )
      // initialize, initialized, tools/list, whoami, notify and drop to the first session;
      // whoami to the second.
      const sessions = posts.map((r) => new URL(r.path, server.url).searchParams.get('sessionId'))
      expect(sessions).toEqual([...Array<string | null>(6).fill(sessions[0] ?? null), sessions[6]])
      // The reconnect opened a new session (the SDK's session ids are random UUIDs).
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
      expect([
        uuid.test(sessions[0] ?? ''),
        uuid.test(sessions[6] ?? ''),
        sessions[6] === sessions[0],
      ]).toEqual([true, true, false])
      expect(posts.every((r) => r.headers['authorization'] === 'Bearer s3cret')).toBe(true)
      expect(server.failures).toEqual([])
      // close() released the second stream; the first was dropped by the server.
      expect(server.streams.map((res) => res.destroyed || res.writableEnded)).toEqual([true, true])
    } finally {
      await server.close()
    }
  })
})

describe('TypeScript against `eventsource` resolved to ours', { timeout: 60_000 }, () => {
  /** Node16 resolution with Node's types, then `options`. */
  const check = (name: string, options: Record<string, unknown>, files: string[]) =>
    typecheck(
      project,
      name,
      {
        module: 'node16',
        moduleResolution: 'node16',
        lib: ['ES2022'],
        ...nodeTypes,
        // The code is checked against the declarations; that those compile under these
        // settings is test/package.test.ts's to check.
        skipLibCheck: true,
        ...options,
      },
      files,
    )

  describe.concurrent('code written for eventsource v4', () => {
    test('type-checks against ours, with Node types', async ({ expect }) => {
      expect(await check('v4-on-ours', {}, ['eventsource-v4-consumer.ts'])).toEqual([])
    })

    test('type-checks against ours, with the DOM lib', async ({ expect }) => {
      const dom = { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'] }
      expect(
        await check('v4-on-ours-dom', { ...dom, types: [] }, ['eventsource-v4-consumer.ts']),
      ).toEqual([])
    })

    test('is v4 code: it type-checks against eventsource v4 itself', async ({ expect }) => {
      const v4 = join(repo, 'node_modules', 'eventsource-v4')
      expect(
        await check('v4-on-v4', { paths: { eventsource: [v4] } }, ['eventsource-v4-consumer.ts']),
      ).toEqual([])
    })
  })

  test("the SDK's eventSourceInit takes our options and its SseError carries our event", async () => {
    expect(await check('mcp', {}, ['mcp-consumer.ts'])).toEqual([])
  })
})
