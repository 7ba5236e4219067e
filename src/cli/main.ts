#!/usr/bin/env node
/**
 * The command-line tool: `isomorphic-eventsource [options] URL` (see `--help`), built only on the
 * package's public API. This file is the process boundary: exit code, and unexpected errors.
 */
import { main } from './run.js'

main(process.argv.slice(2)).then(
  (code) => {
    // Exit by running dry, not process.exit(): data still queued for a pipe gets written.
    process.exitCode = code
    // Should anything still hold the event loop, it must not hold the exit code hostage.
    setTimeout(() => process.exit(code), 2000).unref()
  },
  (error: unknown) => {
    // Not an expected failure (those resolve with a code): a bug, so the stack helps.
    process.stderr.write(`isomorphic-eventsource: internal error: ${String(error)}\n`)
    if (error instanceof Error && error.stack !== undefined)
      process.stderr.write(`${error.stack}\n`)
    process.exitCode = 1
  },
)
