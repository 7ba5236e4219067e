/** The `--help` text: the CLI's reference, exit codes included. */
export const PROGRAM = 'isomorphic-eventsource'

/** Printed by `-h`/`--help`; kept under 80 columns for narrow terminals. */
export const HELP = `Usage: ${PROGRAM} [options] URL

Connects to a Server-Sent Events stream and prints its events: events on stdout,
connection status (open, reconnecting, gave up) on stderr.

Request:
  -H, --header 'Name: value'  add a request header (repeatable)
  -X, --method METHOD         HTTP method (default: GET, or POST with --data)
  -d, --data BODY             request body, sent as is with every attempt;
                              @FILE reads a file, @- reads stdin. No
                              Content-Type is added: pass one with -H
      --last-event-id ID      resume after this event id (sent as Last-Event-ID)
      --proxy URL             use this http(s):// proxy
      --no-proxy              ignore HTTPS_PROXY, HTTP_PROXY and NO_PROXY

Output:
      --event TYPE            print events of this type only (repeatable);
                              default: every event, named or not
      --json                  one JSON object per line and event:
                              {"type","id","data","origin","time"}
      --max-events N          exit after printing N events
  -q, --quiet                 no status lines on stderr (failures still are)

Reconnection (default: as browsers do, 3000 ms after any drop, forever):
      --no-retry              never reconnect; a stream the server ends exits 0
      --retry-initial-delay MS  wait before reconnecting (until the server
                              sends "retry:")
      --retry-factor N        grow the wait by N per consecutive failure (>= 1)
      --retry-max-delay MS    cap on the grown wait
      --retry-jitter R        add up to R (0 to 1) of the wait at random
      --retry-reset-after MS  a connection open this long resets the failures
      --max-attempts N        give up after N consecutive failed attempts
      --retry-status CODE     reconnect on this HTTP status too, whatever the
                              method (repeatable); Retry-After is honoured
      --read-timeout MS       reconnect after MS without a byte (comments count)

Other:
      --timeout MS            stop after MS in all and exit 3
  -h, --help                  show this help
      --version               show the version

Exit codes:
  0    --max-events reached, the server ended the stream under --no-retry, or
       it answered 204 No Content (the spec's "stop reconnecting")
  1    the connection failed (HTTP error, network error, gave up): see stderr
  2    usage error
  3    --timeout expired
  130  interrupted (SIGINT, Ctrl-C); 143 on SIGTERM

Colours on a terminal; NO_COLOR turns them off, FORCE_COLOR (not 0) on.

Examples:
  ${PROGRAM} https://example.com/stream
  ${PROGRAM} --json --event tick URL | jq -r .data
  ${PROGRAM} -H 'Content-Type: application/json' -d @prompt.json \\
    --event token --event done URL
`

/** The hint after a usage error. */
export const HELP_HINT = `Try '${PROGRAM} --help'.`
