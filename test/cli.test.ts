import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseCommandLine, UsageError } from '../src/cli/args.js'
import { formatText, palette, useColor } from '../src/cli/output.js'
import { FixtureServer } from './fixture-server.js'
import { ProxyServer } from './support/proxy-server.js'

// The built CLI, run as users run it: a separate process on the package's Node build.
const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string }

let server: FixtureServer
let scratch: string
beforeAll(async () => {
  if (!existsSync(cliPath)) throw new Error('dist/cli.js is missing: run `npm run build` first')
  server = await FixtureServer.start()
  scratch = await mkdtemp(join(tmpdir(), 'ies-cli-'))
})
afterAll(async () => {
  await server.close()
  await rm(scratch, { recursive: true, force: true })
})

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

interface RunOptions {
  /** Written to stdin, which is then closed (it is always closed). */
  input?: string
  env?: Record<string, string>
  /** Called on every stdout chunk with everything so far. */
  onStdout?: (stdout: string, child: ChildProcess) => void
  /** Killed (SIGKILL) after this long: a hang fails the test instead of stalling the suite. */
  limit?: number
}

// Variables that would change what the CLI does: a proxy, colours forced either way.
const SCRUBBED = /^(https?_proxy|all_proxy|no_proxy|force_color|no_color)$/i

function cli(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !SCRUBBED.test(name)) env[name] = value
  }
  Object.assign(env, options.env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env })
    let stdout = ''
    let stderr = ''
    const killer = setTimeout(() => child.kill('SIGKILL'), options.limit ?? 15_000)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      options.onStdout?.(stdout, child)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

async function waitFor(check: () => boolean, limit = 5000): Promise<boolean> {
  const until = Date.now() + limit
  while (!check()) {
    if (Date.now() > until) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)

// Concurrent: each test has its own route, and most of a test's time is Node's start-up.
describe.concurrent('output', () => {
  test('prints message events, multi-line data aligned, status on stderr', async ({ expect }) => {
    const route = server.route(() => ({
      body: ['id: 1\ndata: hello\n\n', 'data: line one\ndata: line two\n\n'],
      finish: 'hang',
    }))
    const run = await cli(['--max-events', '2', route.url])
    expect(run.code).toBe(0)
    // The second event has no id field: its lastEventId is still the source's, 1.
    expect(run.stdout).toBe('message id=1  hello\nmessage id=1  line one\n              line two\n')
    expect(run.stderr).toBe('* connected: HTTP 200\n')
    expect(run.stdout).not.toContain('\x1b[')
  })

  test('--json prints one parseable object per line and event', async ({ expect }) => {
    const route = server.route(() => ({
      body: ['event: tick\nid: 7\ndata: {"n":1}\n\n', 'data: a\ndata: b\n\n'],
      finish: 'hang',
    }))
    const before = Date.now()
    const run = await cli([
      '--json',
      '--event',
      'tick',
      '--event',
      'message',
      '--max-events',
      '2',
      route.url,
    ])
    expect(run.code).toBe(0)
    const events = jsonLines(run.stdout)
    expect(events.map(({ time, ...rest }) => rest)).toEqual([
      { type: 'tick', id: '7', data: '{"n":1}', origin: server.origin },
      { type: 'message', id: '7', data: 'a\nb', origin: server.origin },
    ])
    for (const event of events) {
      expect(Date.parse(String(event['time']))).toBeGreaterThanOrEqual(before - 1000)
    }
  })

  test('colours with FORCE_COLOR, escapes control characters from the server', async ({
    expect,
  }) => {
    const route = server.route(() => ({ body: ['data: \x1b[2Jboo\n\n'], finish: 'hang' }))
    const run = await cli(['--max-events', '1', route.url], { env: { FORCE_COLOR: '1' } })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('\x1b[36mmessage\x1b[39m')
    expect(run.stdout).toContain('\\x1b[2Jboo')
    expect(run.stdout).not.toContain('\x1b[2J')
  })

  test('the colour decision follows FORCE_COLOR, NO_COLOR, then the terminal', ({ expect }) => {
    const tty = { isTTY: true }
    expect(useColor(tty, {})).toBe(true)
    expect(useColor({ isTTY: false }, {})).toBe(false)
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false)
    expect(useColor(tty, { NO_COLOR: '' })).toBe(true)
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false)
    expect(useColor({}, { FORCE_COLOR: '1' })).toBe(true)
    expect(useColor({}, { FORCE_COLOR: '' })).toBe(true)
    expect(useColor(tty, { FORCE_COLOR: '0', NO_COLOR: '' })).toBe(false)
    const event = { type: 'a\nb', id: '', data: 'x\n\ny', origin: '', time: new Date(0) }
    expect(formatText(event, palette(false))).toBe('a\\x0ab  x\n\n        y\n')
  })
})

describe.concurrent('request', () => {
  test('-H, -X and -d reach the server; repeated headers combine; no Content-Type added', async ({
    expect,
  }) => {
    const route = server.route(() => ({ body: ['data: ok\n\n'], finish: 'hang' }))
    const run = await cli([
      ...['-H', 'Authorization: Bearer t0k3n', '-H', 'X-Multi: a', '-H', 'x-multi:b'],
      ...['-X', 'PUT', '-d', '{"q":1}', '--max-events', '1', route.url],
    ])
    expect(run.code).toBe(0)
    const request = route.requests[0]
    expect(request?.method).toBe('PUT')
    expect(request?.body).toBe('{"q":1}')
    expect(request?.headers['authorization']).toBe('Bearer t0k3n')
    expect(request?.headers['x-multi']).toBe('a, b')
    expect(request?.headers['content-type']).toBeUndefined()
    expect(request?.headers['accept']).toBe('text/event-stream')
  })

  test('-d @file sends the file as is, with POST by default; -d @- reads stdin', async ({
    expect,
  }) => {
    const file = join(scratch, 'body.json')
    await writeFile(file, '{"prompt":"héllo"}\n')
    const route = server.route(() => ({ body: ['data: ok\n\n'], finish: 'hang' }))
    const fromFile = await cli([
      '-H',
      'Content-Type: application/json',
      '-d',
      `@${file}`,
      '--max-events',
      '1',
      route.url,
    ])
    expect(fromFile.code).toBe(0)
    expect(route.requests[0]?.method).toBe('POST')
    expect(route.requests[0]?.body).toBe('{"prompt":"héllo"}\n')
    expect(route.requests[0]?.headers['content-type']).toBe('application/json')

    const fromStdin = await cli(['-d', '@-', '--max-events', '1', route.url], {
      input: 'piped\nbody',
    })
    expect(fromStdin.code).toBe(0)
    expect(route.requests[1]?.body).toBe('piped\nbody')
  })

  test('--last-event-id is sent as Last-Event-ID from the first request', async ({ expect }) => {
    const route = server.route(() => ({ body: ['data: ok\n\n'], finish: 'hang' }))
    const run = await cli(['--last-event-id', 'évt-42', '--max-events', '1', route.url])
    expect(run.code).toBe(0)
    expect(route.requests[0]?.lastEventId).toBe('évt-42')
  })

  test('--proxy sends the request through the proxy; --no-proxy ignores HTTP_PROXY', async ({
    expect,
  }) => {
    const proxy = await ProxyServer.start()
    try {
      const route = server.route(() => ({ body: ['data: ok\n\n'], finish: 'hang' }))
      const through = await cli(['--proxy', proxy.url, '--max-events', '1', route.url])
      expect(through.code).toBe(0)
      expect(proxy.requests.map((request) => request.target)).toEqual([route.url])
      const direct = await cli(['--no-proxy', '--max-events', '1', route.url], {
        env: { HTTP_PROXY: proxy.url },
      })
      expect(direct.code).toBe(0)
      expect(proxy.requests).toHaveLength(1)
      expect(route.requests).toHaveLength(2)
    } finally {
      await proxy.close()
    }
  })
})

describe.concurrent('events and endings', () => {
  const mixed = [
    'data: m1\n\n',
    'event: tick\ndata: t1\n\n',
    'event: other\ndata: o1\n\n',
    'event: tick\ndata: t2\n\n',
  ]

  test('by default every event, named or not; a stream the server ends exits 0 under --no-retry', async ({
    expect,
  }) => {
    const route = server.route(() => ({ body: mixed, finish: 'end' }))
    const run = await cli(['--no-retry', route.url])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('message  m1\ntick  t1\nother  o1\ntick  t2\n')
    expect(run.stderr).toContain('the server ended the stream')
  })

  test('HTTP 204, the spec\'s "do not reconnect", exits 0', async ({ expect }) => {
    const route = server.route(() => ({ status: 204, headers: {} }))
    const run = await cli([route.url])
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('HTTP 204')
    expect(route.requests).toHaveLength(1)
  })

  test('--event filters by type', async ({ expect }) => {
    const route = server.route(() => ({ body: mixed, finish: 'end' }))
    const run = await cli(['--event', 'tick', '--no-retry', route.url])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('tick  t1\ntick  t2\n')
  })

  test('--max-events exits 0 after N events, mid-stream', async ({ expect }) => {
    const route = server.route(() => ({
      body: ['data: 1\n\ndata: 2\n\ndata: 3\n\n'],
      finish: 'hang',
    }))
    const run = await cli(['--json', '-q', '--max-events', '2', route.url])
    expect(run.code).toBe(0)
    expect(jsonLines(run.stdout).map((event) => event['data'])).toEqual(['1', '2'])
    expect(run.stderr).toBe('')
  })

  test('HTTP 500 exits 1 with the reason on stderr', async ({ expect }) => {
    const route = server.route(() => ({ status: 500, headers: { 'Content-Type': 'text/plain' } }))
    const run = await cli([route.url])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('failed: HTTP 500')
    expect(run.stdout).toBe('')
    expect(run.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  test('a network error exits 1 under --no-retry, also once the stream was open', async ({
    expect,
  }) => {
    const refused = server.route(() => ({ drop: true }))
    const before = await cli(['--no-retry', refused.url])
    expect(before.code).toBe(1)
    expect(before.stderr).toContain('failed: Network error')
    const cut = server.route(() => ({ body: ['data: a\n\n', 50], finish: 'destroy' }))
    const after = await cli(['--no-retry', cut.url])
    expect(after.code).toBe(1)
    expect(after.stdout).toBe('message  a\n')
  })

  test('reconnects after the stream ends, saying so on stderr, with Last-Event-ID', async ({
    expect,
  }) => {
    const route = server.route((_request, attempt) =>
      attempt === 0
        ? { body: ['retry: 50\nid: 1\ndata: a\n\n'], finish: 'end' }
        : { body: ['data: b\n\n'], finish: 'hang' },
    )
    const run = await cli(['--max-events', '2', route.url])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('message id=1  a\nmessage id=1  b\n')
    expect(run.stderr).toBe(
      '* connected: HTTP 200\n* reconnecting in 50 ms (attempt 1: The stream ended)\n* connected: HTTP 200\n',
    )
    expect(route.requests[1]?.lastEventId).toBe('1')
  })

  test('--retry-status retries a POST too, and --max-attempts gives up with exit 1', async ({
    expect,
  }) => {
    const route = server.route(() => ({ status: 503, headers: { 'Content-Type': 'text/plain' } }))
    const run = await cli([
      ...['-d', 'x', '--retry-status', '503', '--max-attempts', '3', '--retry-initial-delay', '10'],
      route.url,
    ])
    expect(run.code).toBe(1)
    expect(route.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'POST'])
    expect(run.stderr).toContain('reconnecting in 10 ms (attempt 1: HTTP 503)')
    expect(run.stderr).toContain('reconnecting in 10 ms (attempt 2: HTTP 503)')
    expect(run.stderr).toContain('failed: HTTP 503; gave up after 3 failed attempts')
  })

  test('--read-timeout reconnects a silent connection', async ({ expect }) => {
    const route = server.route((_request, attempt) =>
      attempt === 0 ? { finish: 'hang' } : { body: ['data: late\n\n'], finish: 'hang' },
    )
    const run = await cli([
      '--read-timeout',
      '200',
      '--retry-initial-delay',
      '10',
      '--max-events',
      '1',
      route.url,
    ])
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('reconnecting in 10 ms (attempt 1: No data received for 200 ms)')
    expect(run.stdout).toBe('message  late\n')
  })

  test('--timeout exits 3', async ({ expect }) => {
    const route = server.route(() => ({ body: [':hi\n\n'], finish: 'hang' }))
    // The route never ends: only the timer can stop the run (the helper's kill gives no code).
    const run = await cli(['--timeout', '300', route.url])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('timed out after 300 ms')
  })

  test.for([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s closes the connection and exits %i', async ([signal, code], { expect }) => {
    const route = server.route(() => ({ body: ['data: first\n\n'], finish: 'hang' }))
    const run = await cli([route.url], {
      onStdout: (stdout, child) => {
        if (stdout.includes('first')) child.kill(signal)
      },
    })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(code)
    expect(run.stdout).toBe('message  first\n')
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(await waitFor(() => route.requests[0]?.connection.closed === true)).toBe(true)
  })
})

describe('command line', () => {
  test('--help prints the usage with the exit codes; --version the package version', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: isomorphic-eventsource \[options\] URL/)
    expect(help.stdout).toContain('Exit codes:')
    const shown = await cli(['--version'])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toBe(`isomorphic-eventsource ${version}\n`)
  })

  test('a URL with credentials fails at once, without the password on any line', async ({
    expect,
  }) => {
    const route = server.route(() => ({ body: ['data: x\n\n'] }))
    const run = await cli([route.url.replace('http://', 'http://user:secret@')])
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      '',
      '* failed: The URL has credentials (user:password@), which EventSource never sends\n',
    ])
    expect(route.requests).toHaveLength(0)
  })

  // Concurrent: no server involved, and each run is mostly Node's start-up.
  test.concurrent.for<[string[], string]>([
    [['-H', 'NoColon', 'http://127.0.0.1/'], "bad header 'NoColon'"],
    [[], 'missing URL'],
    [['--bogus', 'http://127.0.0.1/'], "unknown option '--bogus'"],
    [['not a url'], "invalid URL 'not a url'"],
    // A password in a URL that does not parse is not echoed.
    [['http://user:secret@[::1'], "invalid URL 'http://***@[::1'"],
    // The library checks the options the flags become; its TypeError is a usage error too.
    [
      ['--retry-jitter', '2', 'http://127.0.0.1/'],
      'EventSource option "retry.jitter" must be a number from 0 to 1; got 2',
    ],
    [['-H', 'Bad Name: x', 'http://127.0.0.1/'], 'EventSource option "headers" must be valid'],
    [['-H', 'Last-Event-ID: 3', 'http://127.0.0.1/'], 'the "lastEventId" option sets it'],
    [['-X', 'GET', '-d', 'x', 'http://127.0.0.1/'], 'option "body" must be absent for GET'],
    [['--retry-status', '600', 'http://127.0.0.1/'], 'option "retry.statuses" must be'],
    [['--retry-factor', '0.5', 'http://127.0.0.1/'], 'option "retry.factor" must be a number'],
    [['--read-timeout', '0', 'http://127.0.0.1/'], 'option "readTimeout" must be a number'],
    [['--proxy', 'socks5://user:secret@h', 'http://127.0.0.1/'], 'option "proxy" must be'],
    [['--last-event-id', 'a\nb', 'http://127.0.0.1/'], 'option "lastEventId" must be'],
    [
      ['-d', '@/nonexistent/ies-body', 'http://127.0.0.1/'],
      "cannot read --data file '/nonexistent/ies-body'",
    ],
    // Caught by the library's own option validation, reported as a usage error all the same.
    [['-X', 'TRACE', 'http://127.0.0.1/'], 'method'],
  ])('usage error: %j exits 2', async ([args, message], { expect }) => {
    const run = await cli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stderr).toContain("Try 'isomorphic-eventsource --help'.")
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  test.each([
    [['-H', ': x', 'http://h/'], "bad header ': x'"],
    [['http://h/', 'http://other/'], "unexpected argument 'http://other/'"],
    [['ftp://h/'], "unsupported URL scheme 'ftp:'"],
    [['-d', 'a', '-d', 'b', 'http://h/'], '--data given more than once'],
    [['--event', 'error', 'http://h/'], "the connection's error is reported on stderr"],
    [
      ['--no-retry', '--max-attempts', '3', 'http://h/'],
      '--no-retry conflicts with --max-attempts',
    ],
    [['--max-events', '0', 'http://h/'], "--max-events must be a whole number >= 1; got '0'"],
    [['--timeout', '1e3', 'http://h/'], "--timeout must be a whole number >= 1; got '1e3'"],
    [['--retry-status', 'five', 'http://h/'], "--retry-status must be a number; got 'five'"],
    [['--retry-factor', '0x2', 'http://h/'], "--retry-factor must be a number; got '0x2'"],
    [['--proxy', 'http://p/', '--no-proxy', 'http://h/'], '--proxy and --no-proxy conflict'],
    [['--json=yes', 'http://h/'], "'--json' does not take an argument"],
  ])('rejects %j', (args, message) => {
    expect(() => parseCommandLine(args)).toThrow(UsageError)
    expect(() => parseCommandLine(args)).toThrow(message)
  })

  test('maps the flags onto options', () => {
    expect(
      parseCommandLine([
        ...['--retry-initial-delay', '100', '--retry-factor', '2', '--retry-max-delay', '5000'],
        ...['--retry-jitter', '0.3', '--max-attempts', '5', '--retry-status', '502'],
        ...['--retry-status', '503', '--retry-reset-after', '30000', '--read-timeout', '45000'],
        ...['--event', 'a', '--event', 'a', '--timeout', '9', '-q', 'https://h/x?y'],
      ]),
    ).toEqual({
      kind: 'run',
      config: {
        url: 'https://h/x?y',
        headers: [],
        method: undefined,
        data: undefined,
        lastEventId: undefined,
        events: ['a'],
        json: false,
        quiet: true,
        retry: {
          initialDelay: 100,
          factor: 2,
          maxDelay: 5000,
          jitter: 0.3,
          resetAfter: 30000,
          maxAttempts: 5,
          statuses: [502, 503],
        },
        readTimeout: 45000,
        maxEvents: undefined,
        timeout: 9,
        proxy: undefined,
      },
    })
    expect(parseCommandLine(['--no-retry', '--bogus', '-h'])).toEqual({ kind: 'help' })
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' })
    const secret = /secret/
    expect(() => parseCommandLine(['--proxy', 'ftp://u:secret@h', 'http://h/'])).not.toThrow(secret)
  })
})
