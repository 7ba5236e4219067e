/**
 * Command-line parsing and validation: argv in, a checked configuration (or a usage error naming
 * the flag) out. Pure: no I/O, so every rule is testable in-process.
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
  /** Header pairs, names as typed; repeated names already combined. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly method: string | undefined
  readonly data: DataSource | undefined
  readonly lastEventId: string | undefined
  /** Event types to print (never empty). */
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

// RFC 9110 token: header names and methods.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const UNSAFE = /[\r\n\0]/

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
  const method = parseMethod(values.method, data !== undefined)
  const lastEventId = values['last-event-id']
  if (lastEventId !== undefined && UNSAFE.test(lastEventId)) {
    throw new UsageError('--last-event-id must not contain CR, LF or NUL')
  }

  return {
    kind: 'run',
    config: {
      url,
      headers: parseHeaders(values.header ?? []),
      method,
      data,
      lastEventId,
      events: parseEventTypes(values.event),
      json: values.json === true,
      quiet: values.quiet === true,
      retry: parseRetry(values),
      readTimeout: optionalNumber('--read-timeout', values['read-timeout'], INTEGER_MS_POSITIVE),
      maxEvents: optionalNumber('--max-events', values['max-events'], COUNT),
      timeout: optionalNumber('--timeout', values.timeout, INTEGER_MS_POSITIVE),
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
    throw new UsageError(`invalid URL '${text}' (an absolute http:// or https:// URL is needed)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`unsupported URL scheme '${url.protocol}' (http: or https: only)`)
  }
  return url.href
}

/** `Name: value` lines into pairs; a repeated name is combined with ', ' (HTTP list syntax). */
function parseHeaders(lines: readonly string[]): Array<[string, string]> {
  const byName = new Map<string, [string, string]>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = colon === -1 ? '' : line.slice(0, colon).trim()
    if (!TOKEN.test(name)) {
      throw new UsageError(`bad header '${line}': expected 'Name: value'`)
    }
    const value = line.slice(colon + 1).trim()
    if (UNSAFE.test(value)) throw new UsageError(`bad header '${name}': CR, LF or NUL in the value`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: fetch's ByteString rule
    if (/[^\x00-\xff]/.test(value)) {
      throw new UsageError(
        `bad header '${name}': characters beyond U+00FF in the value (percent-encode them)`,
      )
    }
    const key = name.toLowerCase()
    if (key === 'last-event-id') {
      throw new UsageError(`use --last-event-id instead of -H '${name}: ...'`)
    }
    const previous = byName.get(key)
    if (previous === undefined) byName.set(key, [name, value])
    else previous[1] = `${previous[1]}, ${value}`
  }
  return [...byName.values()]
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

function parseMethod(method: string | undefined, hasBody: boolean): string | undefined {
  if (method === undefined) return hasBody ? 'POST' : undefined
  if (!TOKEN.test(method)) throw new UsageError(`invalid --method '${method}'`)
  const upper = method.toUpperCase()
  if (hasBody && (upper === 'GET' || upper === 'HEAD')) {
    throw new UsageError(`--data cannot be sent with ${upper}: use -X POST (or drop -X)`)
  }
  return method
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
  if (proxy === undefined) return undefined
  // The URL may hold credentials: the message does not repeat it.
  if (!/^https?:\/\/[^/]/i.test(proxy) || !URL.canParse(proxy)) {
    throw new UsageError('--proxy must be an http:// or https:// URL')
  }
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
  const initialDelay = optionalNumber(
    '--retry-initial-delay',
    values['retry-initial-delay'],
    INTEGER_MS,
  )
  if (initialDelay !== undefined) retry.initialDelay = initialDelay
  const factor = optionalNumber('--retry-factor', values['retry-factor'], FACTOR)
  if (factor !== undefined) retry.factor = factor
  const maxDelay = optionalNumber('--retry-max-delay', values['retry-max-delay'], INTEGER_MS)
  if (maxDelay !== undefined) retry.maxDelay = maxDelay
  const jitter = optionalNumber('--retry-jitter', values['retry-jitter'], RATIO)
  if (jitter !== undefined) retry.jitter = jitter
  const resetAfter = optionalNumber('--retry-reset-after', values['retry-reset-after'], INTEGER_MS)
  if (resetAfter !== undefined) retry.resetAfter = resetAfter
  const maxAttempts = optionalNumber('--max-attempts', values['max-attempts'], COUNT)
  if (maxAttempts !== undefined) retry.maxAttempts = maxAttempts
  const statuses = values['retry-status']
  if (statuses !== undefined) {
    retry.statuses = statuses.map((status) => number('--retry-status', status, HTTP_STATUS))
  }
  return retry
}

interface NumberRule {
  readonly integer: boolean
  readonly min: number
  readonly max: number
  /** How the rule reads in an error message. */
  readonly expected: string
}

const INTEGER_MS: NumberRule = {
  integer: true,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  expected: 'a whole number of milliseconds',
}
const INTEGER_MS_POSITIVE: NumberRule = { ...INTEGER_MS, min: 1, expected: 'milliseconds >= 1' }
const COUNT: NumberRule = { ...INTEGER_MS, min: 1, expected: 'a whole number >= 1' }
const FACTOR: NumberRule = { integer: false, min: 1, max: 1e6, expected: 'a number >= 1' }
const RATIO: NumberRule = { integer: false, min: 0, max: 1, expected: 'a number from 0 to 1' }
const HTTP_STATUS: NumberRule = { integer: true, min: 100, max: 599, expected: 'an HTTP status' }

function optionalNumber(flag: string, text: string | undefined, rule: NumberRule) {
  return text === undefined ? undefined : number(flag, text, rule)
}

function number(flag: string, text: string, rule: NumberRule): number {
  // Plain decimal only: Number() would also take '', ' 1', '0x10' and '1e3'.
  const syntax = rule.integer ? /^\d+$/ : /^\d+(\.\d+)?$/
  const value = Number(text)
  if (!syntax.test(text) || value < rule.min || value > rule.max) {
    throw new UsageError(`${flag} must be ${rule.expected}; got '${text}'`)
  }
  return value
}
