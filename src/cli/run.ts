/**
 * One run of the CLI: parse, connect, print, and settle on an exit code. Built only on the
 * package's public API, as any user's program would be.
 */
import { createRequire } from 'node:module'
import {
  EventSource,
  type EventSourceMessageEvent,
  type EventSourceOptions,
} from 'isomorphic-eventsource'
import { type CliConfig, parseCommandLine, UsageError } from './args.js'
import { readBody } from './body.js'
import { EXIT, type ExitCode } from './exit-codes.js'
import { HELP, HELP_HINT, PROGRAM } from './help.js'
import { formatJson, formatStatus, formatText, palette, useColor } from './output.js'

/**
 * Runs the CLI with `argv` (the arguments after the script) and resolves with the exit code.
 * Expected failures are reported on stderr, never thrown.
 */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  try {
    const command = parseCommandLine(argv)
    if (command.kind === 'help') {
      process.stdout.write(HELP)
      return EXIT.ok
    }
    if (command.kind === 'version') {
      process.stdout.write(`${PROGRAM} ${packageVersion()}\n`)
      return EXIT.ok
    }
    const { config } = command
    const source = connect(config.url, await toOptions(config))
    return await stream(source, config)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${PROGRAM}: ${error.message}\n${HELP_HINT}\n`)
    return EXIT.usage
  }
}

/**
 * The constructor validates every option and throws a `TypeError` (bad option) or a `SyntaxError`
 * (bad URL) naming it: the command line's checks leave those to it, so they are usage errors.
 */
function connect(url: string, options: EventSourceOptions): EventSource {
  try {
    return new EventSource(url, options)
  } catch (error) {
    if (error instanceof TypeError || (error instanceof Error && error.name === 'SyntaxError')) {
      throw new UsageError(error.message)
    }
    throw error
  }
}

function packageVersion(): string {
  // The package's own manifest, resolved by name: right for the installed copy, wherever it is.
  const manifest = createRequire(import.meta.url)('isomorphic-eventsource/package.json') as {
    version?: unknown
  }
  return String(manifest.version)
}

/** The flags as `EventSource` options; reads the `-d` body once. */
async function toOptions(config: CliConfig): Promise<EventSourceOptions> {
  const options: EventSourceOptions = {}
  if (config.headers.length > 0)
    options.headers = config.headers.map(([name, value]) => [name, value])
  if (config.method !== undefined) options.method = config.method
  if (config.data !== undefined) options.body = await readBody(config.data, () => process.stdin)
  if (config.lastEventId !== undefined) options.lastEventId = config.lastEventId
  // The library retries `retry.statuses` for idempotent methods only, as a POST may not be safe
  // to repeat; on the command line `--retry-status` is an explicit request, whatever the method.
  if (config.retry && config.retry.statuses !== undefined)
    options.retry = { ...config.retry, methods: [config.method ?? 'GET'] }
  else if (config.retry !== undefined) options.retry = config.retry
  if (config.readTimeout !== undefined) options.readTimeout = config.readTimeout
  if (config.proxy !== undefined) options.proxy = config.proxy
  return options
}

/** Prints the source's events until something ends the run; resolves with the exit code. */
function stream(source: EventSource, config: CliConfig): Promise<ExitCode> {
  const { stdout, stderr } = process
  const outColors = palette(useColor(stdout, process.env))
  const errColors = palette(useColor(stderr, process.env))
  const status = (kind: 'ok' | 'warn' | 'dim', text: string): void => {
    if (!config.quiet) stderr.write(formatStatus(kind, text, errColors))
  }

  return new Promise((resolve) => {
    let printed = 0
    let open = false
    let done = false
    let deadline: ReturnType<typeof setTimeout> | undefined
    // With every event type printed through async iteration, events already dispatched may still
    // wait in the iterator when the stream ends: they are printed before the exit.
    let drained: Promise<void> = Promise.resolve()

    const finish = (code: ExitCode, failure?: string): void => {
      if (done) return
      done = true
      source.close()
      clearTimeout(deadline)
      process.off('SIGINT', onSigint)
      process.off('SIGTERM', onSigterm)
      // Failures are reported even under --quiet: they explain the exit code.
      if (failure !== undefined) stderr.write(formatStatus('bad', failure, errColors))
      void drained.then(() => resolve(code))
    }
    const onSigint = () => finish(EXIT.sigint)
    const onSigterm = () => finish(EXIT.sigterm)
    process.once('SIGINT', onSigint)
    process.once('SIGTERM', onSigterm)
    // A reader that went away (`| head`) is a normal end, not a crash.
    stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') finish(EXIT.ok)
      else finish(EXIT.failed, `cannot write to stdout: ${error.message}`)
    })
    if (config.timeout !== undefined) {
      const ms = config.timeout
      deadline = setTimeout(() => finish(EXIT.timeout, `timed out after ${ms} ms`), ms)
    }

    source.addEventListener('open', (event) => {
      open = true
      status('ok', `connected: HTTP ${event.status}`)
    })
    source.addEventListener('error', (event) => {
      const wasOpen = open
      open = false
      if (event.willRetry) {
        const delay = Math.round(event.delay ?? 0)
        status('warn', `reconnecting in ${delay} ms (attempt ${event.attempt}: ${event.message})`)
        return
      }
      if (config.retry === false && wasOpen && event.reason === 'end') {
        status('dim', 'the server ended the stream')
        finish(EXIT.ok)
        return
      }
      // 204 is how a server tells clients to stop reconnecting: done, not broken.
      if (event.status === 204) {
        status('dim', 'the server has nothing to stream (HTTP 204)')
        finish(EXIT.ok)
        return
      }
      // The message says why, and "gave up after N failed attempts" when retries ran out.
      finish(EXIT.failed, `failed: ${event.message}`)
    })
    let full = false
    const print = (event: EventSourceMessageEvent): void => {
      if (full) return
      const printable = {
        type: event.type,
        id: event.lastEventId,
        data: event.data,
        origin: event.origin,
        time: new Date(),
      }
      stdout.write(config.json ? formatJson(printable) : formatText(printable, outColors))
      printed++
      if (config.maxEvents !== undefined && printed >= config.maxEvents) {
        full = true
        finish(EXIT.ok)
      }
    }
    if (config.events !== '*') {
      for (const type of config.events) source.addEventListener(type, print)
      return
    }
    // Every type, including names the server invents: only async iteration offers that.
    const printAll = async (): Promise<void> => {
      for await (const event of source.events('*')) print(event)
    }
    // A failure ends the loop with an error; the `error` listener above has reported it.
    drained = printAll().catch(() => undefined)
  })
}
