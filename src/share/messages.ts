/**
 * What the sharers of one key say to each other over their BroadcastChannel, and how the parts
 * that are not plain data (response headers, an error's cause) travel. Everything posted is
 * plain data: structured cloning never fails on it.
 */
import type { ErrorDetails } from '../events.js'
import type { ResponseHeadersLike } from '../types.js'

/** The response the leader announced: status and headers, for the `open` event. @internal */
export interface Opened {
  readonly status: number
  readonly headers: Array<[string, string]>
}

/** An error's details, with the cause reduced to what can be cloned. @internal */
export type SentDetails = Omit<ErrorDetails, 'cause'> & {
  readonly cause: { readonly name: string; readonly message: string } | string | undefined
}

/**
 * One message. `epoch` names a leader's term (a leader that took over starts a new one), so
 * that what an earlier leader said late is told apart.
 * @internal
 */
export type Message =
  /** A source joined; the leader answers with `state`. */
  | { readonly type: 'hello'; readonly from: string }
  /** The leader's answer to `hello`, for that source only. */
  | {
      readonly type: 'state'
      readonly to: string
      readonly epoch: string
      /** Present while the connection is open. */
      readonly opened: Opened | undefined
      readonly lastEventId: string
      readonly retry: number
    }
  /** A source took the lock; its connection resumes after `resumeFrom`. */
  | { readonly type: 'lead'; readonly epoch: string; readonly resumeFrom: string }
  | ({ readonly type: 'open'; readonly epoch: string } & Opened)
  | {
      readonly type: 'event'
      readonly epoch: string
      readonly event: string
      readonly data: string
      readonly id: string
      readonly origin: string
      /** The reconnection time, so whoever leads next keeps the server's `retry:`. */
      readonly retry: number
    }
  | { readonly type: 'error'; readonly epoch: string; readonly details: SentDetails }
  /** A follower's `reconnect()`: the leader reconnects. */
  | { readonly type: 'reconnect' }

/** The headers of a response as pairs (the fetch transport's are a `Headers`). @internal */
export function headerPairs(headers: ResponseHeadersLike): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  ;(headers as Partial<Headers>).forEach?.((value, name) => {
    pairs.push([name, value])
  })
  return pairs
}

/** Error details made cloneable: a cause keeps its name and message. @internal */
export function sendable(details: ErrorDetails): SentDetails {
  const cause = details.cause
  return {
    ...details,
    cause:
      cause instanceof Error
        ? { name: cause.name, message: cause.message }
        : cause === undefined
          ? undefined
          : String(cause),
  }
}

/** The details as the follower's `error` event carries them: the cause an `Error` again. @internal */
export function received(details: SentDetails): ErrorDetails {
  const cause = details.cause
  if (typeof cause !== 'object') return { ...details, cause }
  const error = new Error(cause.message)
  error.name = cause.name
  return { ...details, cause: error }
}
