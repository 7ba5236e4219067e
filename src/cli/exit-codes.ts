/** The CLI's exit codes, one place for the code, the help text and the tests. */
export const EXIT = {
  /** `--max-events` reached, or the server ended the stream under `--no-retry`. */
  ok: 0,
  /** The connection failed (HTTP error, network error, gave up); the reason is on stderr. */
  failed: 1,
  /** Bad arguments. */
  usage: 2,
  /** `--timeout` expired. */
  timeout: 3,
  /** SIGINT (Ctrl-C): 128 + 2, as shells report it. */
  sigint: 130,
  /** SIGTERM: 128 + 15. */
  sigterm: 143,
} as const

/** One of the codes above. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]
