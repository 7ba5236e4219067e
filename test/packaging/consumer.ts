/**
 * A consumer's TypeScript file, only ever type-checked: test/package.test.ts copies it into a
 * temp project that installed the packed tarball, as `consumer.mts` and `consumer.cts` (the
 * `import` and the `require` conditions) under node16 resolution and as `consumer.ts` under
 * bundler resolution, and compiles it against the shipped declarations with `skipLibCheck` off.
 *
 * It names no DOM type itself (no `MessageEvent`, `Event`, `RequestInit`…), so that it compiles
 * with Node's types alone: whatever DOM type the check then misses leaks from our declarations.
 */
import 'isomorphic-eventsource/polyfill'
import {
  type ConnectContext,
  EventSource,
  EventSourceError,
  type EventSourceOptions,
  install,
  isEventSourceError,
  type RetryContext,
} from 'isomorphic-eventsource'
import { EventSource as StandardEventSource } from 'isomorphic-eventsource/standard'

/** `true` when A and B are the same type (`any` matches nothing but `any`). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** The message event type, taken from our declarations rather than named. */
type Message = Parameters<NonNullable<EventSource['onmessage']>>[0]

const options: EventSourceOptions = {
  withCredentials: true,
  method: 'POST',
  headers: async ({ attempt, lastEventId }: ConnectContext) => ({
    authorization: `Bearer ${attempt}`,
    'x-resume': lastEventId,
  }),
  body: ({ attempt }) => JSON.stringify({ prompt: 'Hello', attempt }),
  lastEventId: '41',
  lastEventIdQueryParam: 'since',
  retry: { initialDelay: 1000, factor: 2, jitter: 0.3, maxAttempts: 5, statuses: [503] },
  shouldRetry: ({ status, attempt }: RetryContext) => (status === 401 ? false : attempt * 1000),
  readTimeout: 45_000,
  proxy: false,
  // The platform's fetch, wrapped as eventsource v4's README does: the init spreads into it.
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, 'x-via': 'wrap' } }),
}

/** Opens a source with typed events and reads it with listeners and `for await`. */
export async function consume(url: string): Promise<string[]> {
  const seen: string[] = []
  const source = new EventSource<{ tick: Message }>(url, options)
  source.addEventListener('open', (event) => seen.push(`open ${event.status}`))
  source.addEventListener('error', (event) => {
    const status: number | undefined = event.status
    seen.push(`error ${status} ${event.willRetry} ${event.message}`)
  })
  source.addEventListener('tick', (event) => seen.push(`tick ${event.data}`))
  source.onmessage = (event) => seen.push(`${event.lastEventId}: ${event.data.toUpperCase()}`)
  if (source.readyState === EventSource.CLOSED) return seen
  try {
    for await (const event of source.events(['tick'])) {
      seen.push(event.data)
      if (seen.length > 2) break
    }
  } catch (error) {
    if (isEventSourceError(error)) seen.push(`failed ${error.status}`)
    else if (error instanceof EventSourceError) seen.push(error.message)
  }
  source.close()
  seen.push(source.lastEventId, source.url, String(source.withCredentials))
  return seen
}

export const installed: boolean = install({ force: true })

/** The W3C-only tier: the W3C members, its typed events, and `withCredentials` alone. */
export function standard(url: string): string[] {
  const seen: string[] = []
  const source = new StandardEventSource(url, { withCredentials: true })
  source.addEventListener('message', (event) => seen.push(event.data, event.lastEventId))
  source.onerror = () => seen.push(String(source.readyState === StandardEventSource.CLOSED))
  source.close()
  return seen
}

/** Each is `true` only while the declarations give these exact types (never `any`). */
export const exact: [
  Same<Message['data'], string>,
  Same<typeof EventSource.isomorphic, true>,
  Same<typeof EventSource.OPEN, 1>,
  Same<ReturnType<typeof consume>, Promise<string[]>>,
  Same<typeof EventSource.supportedOptions.method, true>,
  Same<keyof typeof StandardEventSource.supportedOptions, 'withCredentials'>,
] = [true, true, true, true, true, true]
