/**
 * The one seam between the spec's processing model and the platform's HTTP client.
 *
 * A transport knows nothing of Server-Sent Events: it performs one request and reports the
 * response head, body chunks and the end (or failure) of the body. Every transport (fetch,
 * XMLHttpRequest, node:http, undici) satisfies the same contract, checked by one suite run
 * against each, so the connection never branches on the platform. Which transport a source uses
 * is its build's platform's choice (`transportFor`, src/platform/).
 *
 * @packageDocumentation
 */

/** One request, built by the connection for each attempt. @internal */
export interface TransportRequest {
  readonly url: string
  readonly method: string
  /** Header values are byte strings: one character per byte (see `encodeHeaderValue`). */
  readonly headers: Readonly<Record<string, string>>
  readonly body: BodyInit | null
  readonly credentials: RequestCredentials
}

/** The part of a response the processing model looks at. @internal */
export interface ResponseHead {
  readonly status: number
  /** The final URL after redirects; empty when the platform does not say. */
  readonly url: string
  readonly headers: { get(name: string): string | null }
}

/**
 * Callbacks a transport reports to. Contract: either `onError` alone, or `onResponse` followed by
 * zero or more `onChunk` and then exactly one of `onEnd` / `onError`. None runs before the
 * transport call has returned (the caller holds the handle first), and after `abort()` returns,
 * none runs any more. test/transport-contract/ checks every transport against this.
 * @internal
 */
export interface TransportHandlers {
  onResponse(head: ResponseHead): void
  /** Raw bytes (fetch) or already decoded text (XMLHttpRequest). */
  onChunk(chunk: Uint8Array | string): void
  onEnd(): void
  /**
   * The request failed. `fatal`: retrying cannot help (a `fetch` option that breaks its
   * contract), so the connection fails instead of reconnecting.
   */
  onError(error: unknown, fatal?: boolean): void
  /**
   * The one exception to the contract above, and only XMLHttpRequest's: its memory grows with
   * the stream (`responseText`), so past a bound it asks the connection to replace this request
   * with a fresh one that resumes from the last event ID. `buffered` is the characters it holds.
   * It goes on reporting, and asking with every chunk, until the connection aborts it.
   */
  onRecycle?(buffered: number): void
}

/** @internal */
export interface TransportHandle {
  /** Stops the request and releases its socket; idempotent. */
  abort(): void
}

/** @internal */
export type Transport = (request: TransportRequest, handlers: TransportHandlers) => TransportHandle

/**
 * The abort half of the contract, for transports whose work is one async function: `work` gets a
 * signal and a way to ask whether the request was aborted; its failure is reported through
 * `onError` unless the request was aborted (an abort rejects pending reads, which is no news).
 * @internal
 */
export function runAbortable(
  work: (signal: AbortSignal, aborted: () => boolean) => Promise<void>,
  onError: (error: unknown) => void,
): TransportHandle {
  const controller = new AbortController()
  let aborted = false
  work(controller.signal, () => aborted).catch((error: unknown) => {
    if (!aborted) onError(error)
  })
  return {
    abort() {
      if (aborted) return
      aborted = true
      // Rejects the pending read and lets the platform drop the socket.
      controller.abort()
    },
  }
}
