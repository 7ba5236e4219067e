/**
 * Command-line parsing: argv in, a configuration (or a usage error naming the flag) out. It checks
 * only what is the command line's own (flag syntax, numbers, conflicts, the CLI-only flags); the
 * library validates the options the flags become, and its `TypeError` is a usage error too
 * (run.ts). Pure: no I/O, so every rule is testable in-process.
 */
import { parseArgs } from 'node:util'
import type { RetryOptions } from 'isomorphic-eventsource'

/** A bad command line: exit code 2, the message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Where the request body comes from (`-d`). */
export type DataSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }

/** What the command line asks for, validated. */
export interface CliConfig {
  readonly url: string
  /** Header pairs as typed, in order (the library combines repeated names). */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly method: string | undefined
  readonly data: DataSource | undefined
  readonly lastEventId: string | undefined
  /** The types to print, or `'*'` for every message event. */
  readonly events: readonly string[] | '*'
  readonly json: boolean
  readonly quiet: boolean
  /** `false` for `--no-retry`, `undefined` when no retry flag was given. */
  readonly retry: false | RetryOptions | undefined
  readonly readTimeout: number | undefined
  readonly maxEvents: number | undefined
  readonly timeout: number | undefined
  /** `false` for `--no-proxy`, a URL for `--proxy`, `undefined` for the environment's. */
  readonly proxy: false | string | undefined
}

/** The parse outcome: run, or print the help or the version. */
export type Command =
  | { readonly kind: 'run'; readonly config: CliConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }

const OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  method: { type: 'string', short: 'X' },
  data: { type: 'string', short: 'd', multiple: true },
  'last-event-id': { type: 'string' },
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean' },
  event: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'max-events': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-retry': { type: 'boolean' },
  'retry-initial-delay': { type: 'string' },
  'retry-factor': { type: 'string' },
  'retry-max-delay': { type: 'string' },
  'retry-jitter': { type: 'string' },
  'retry-reset-after': { type: 'string' },
  'max-attempts': { type: 'string' },
  'retry-status': { type: 'string', multiple: true },
  'read-timeout': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

/**
 * Parses the arguments after `node cli.js`.
 * @throws {@link UsageError} for anything the command line gets wrong.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  // Help wins over every other mistake on the line, as users reach for it when lost.
  const beforeDashes = argv.indexOf('--') === -1 ? argv : argv.slice(0, argv.indexOf('--'))
  if (beforeDashes.includes('-h') || beforeDashes.includes('--help')) return { kind: 'help' }

  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(argsErrorMessage(error))
  }
  const { values, positionals } = parsed
  if (values.version) return { kind: 'version' }

  if (positionals.length === 0) throw new UsageError('missing URL')
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`)
  const url = parseUrl(positionals[0] as string)

  const data = parseData(values.data)

  return {
    kind: 'run',
    config: {
      url,
      headers: parseHeaders(values.header ?? []),
      // A body is sent with POST unless -X says otherwise.
      method: values.method ?? (data === undefined ? undefined : 'POST'),
      data,
      lastEventId: values['last-event-id'],
      events: parseEventTypes(values.event),
      json: values.json === true,
      quiet: values.quiet === true,
      retry: parseRetry(values),
      readTimeout: optionalNumber('--read-timeout', values['read-timeout']),
      maxEvents: optionalCount('--max-events', values['max-events']),
      timeout: optionalCount('--timeout', values.timeout),
      proxy: parseProxy(values.proxy, values['no-proxy'] === true),
    },
  }
}

/** node:util's messages, made shorter where they are long. */
function argsErrorMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1]
    return option === undefined ? message : `unknown option '${option}'`
  }
  return message
}

function parseUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    // A password typed into the URL is not echoed.
    const shown = text.replace(/^((?:[a-z][a-z\d+.-]*:)?\/\/)?[^/?#]*@/i, '$1***@')
    throw new UsageError(`invalid URL '${shown}' (an absolute http:// or https:// URL is needed)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`unsupported URL scheme '${url.protocol}' (http: or https: only)`)
  }
  return url.href
}

/** `Name: value` lines into pairs; names and values are the library's to check. */
function parseHeaders(lines: readonly string[]): Array<[string, string]> {
  return lines.map((line) => {
    const colon = line.indexOf(':')
    if (colon < 1) throw new UsageError(`bad header '${line}': expected 'Name: value'`)
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()]
  })
}

function parseData(values: readonly string[] | undefined): DataSource | undefined {
  if (values === undefined || values.length === 0) return undefined
  if (values.length > 1) throw new UsageError('--data given more than once')
  const value = values[0] as string
  if (value === '@-') return { kind: 'stdin' }
  if (value.startsWith('@')) {
    if (value.length === 1) throw new UsageError("--data '@' needs a file name (or @- for stdin)")
    return { kind: 'file', path: value.slice(1) }
  }
  return { kind: 'text', text: value }
}

function parseEventTypes(types: readonly string[] | undefined): string[] | '*' {
  if (types === undefined || types.length === 0) return '*'
  for (const type of types) {
    if (type === '') throw new UsageError('--event needs a non-empty type')
    // These two are the connection's own events, reported on stderr, never printed as data.
    if (type === 'open' || type === 'error') {
      throw new UsageError(`--event ${type}: the connection's ${type} is reported on stderr`)
    }
  }
  return [...new Set(types)]
}

function parseProxy(proxy: string | undefined, noProxy: boolean): false | string | undefined {
  if (noProxy && proxy !== undefined) throw new UsageError('--proxy and --no-proxy conflict')
  if (noProxy) return false
  return proxy
}

type RetryFlag =
  | 'retry-initial-delay'
  | 'retry-factor'
  | 'retry-max-delay'
  | 'retry-jitter'
  | 'retry-reset-after'
  | 'max-attempts'
  | 'retry-status'

const RETRY_FLAGS: readonly RetryFlag[] = [
  'retry-initial-delay',
  'retry-factor',
  'retry-max-delay',
  'retry-jitter',
  'retry-reset-after',
  'max-attempts',
  'retry-status',
]

function parseRetry(
  values: { 'no-retry'?: boolean | undefined } & {
    [K in RetryFlag]?: (K extends 'retry-status' ? string[] : string) | undefined
  },
): false | RetryOptions | undefined {
  const given = RETRY_FLAGS.filter((flag) => values[flag] !== undefined)
  if (values['no-retry'] === true) {
    if (given.length > 0) throw new UsageError(`--no-retry conflicts with --${given[0]}`)
    return false
  }
  if (given.length === 0) return undefined
  const retry: RetryOptions = {}
  const set = (name: Exclude<keyof RetryOptions, 'statuses' | 'methods'>, flag: RetryFlag) => {
    const value = optionalNumber(`--${flag}`, values[flag] as string | undefined)
    if (value !== undefined) retry[name] = value
  }
  set('initialDelay', 'retry-initial-delay')
  set('factor', 'retry-factor')
  set('maxDelay', 'retry-max-delay')
  set('jitter', 'retry-jitter')
  set('resetAfter', 'retry-reset-after')
  set('maxAttempts', 'max-attempts')
  const statuses = values['retry-status']
  if (statuses !== undefined) retry.statuses = statuses.map((s) => number('--retry-status', s))
  return retry
}

function optionalNumber(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : number(flag, text)
}

/** A plain decimal number (its range is the library's to check). */
function number(flag: string, text: string): number {
  // Number() would also take '', ' 1', '0x10' and '1e3'.
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`${flag} must be a number; got '${text}'`)
  return Number(text)
}

/** A CLI-only count (no library option checks it): a whole number from 1. */
function optionalCount(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`${flag} must be a whole number >= 1; got '${text}'`)
  return Number(text)
}
