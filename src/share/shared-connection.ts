/**
 * One source's share of a connection that the sources of its key, in every tab of the origin,
 * hold together (the `share` option). Loaded on demand by on-demand.ts, as a chunk of its own.
 *
 * - Election: every source asks for the key's Web Lock. The one that holds it leads: it runs a
 *   connection of its own (its headers function, backoff, read timeout…) and posts what
 *   happens on the key's BroadcastChannel. The others wait in the lock's queue and follow.
 * - Hand-over: the lock passes on when its holder's source closes, fails, or its document goes
 *   (the tab closes, navigates or crashes: the browser releases the lock). The next source in
 *   the queue connects at once, resuming after its last event ID; sequencer.ts drops the events
 *   it and the others already dispatched, so every source sees every event once, in order.
 * - Each source keeps its own readyState and fires its own events, as if it held the connection:
 *   `open` once the connection opens, `error` when it fails or reconnects. A hand-over itself is
 *   silent (an open source stays open while the next leader connects).
 *
 * This module imports nothing but types from the main bundle: whatever it used at run time
 * would move into a chunk both load.
 */
import type { ConnectionListener, ReadyState } from '../core/connection.js'
import type { ExtendedConnection, SourceConnection } from '../core/extended-connection.js'
import type { NormalizedOptions } from '../core/options.js'
import type { ErrorDetails } from '../events.js'
import type { ResponseHeadersLike } from '../types.js'
import { shareName } from './key.js'
import { headerPairs, type Message, type Opened, received, sendable } from './messages.js'
import { Sequencer } from './sequencer.js'

// The readyState values (connection.ts holds them, in the main bundle: see above).
const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/**
 * The shared connection of a source with `share`, or a connection of its own where it cannot
 * share: without Web Locks or BroadcastChannel (an insecure context, an old browser, a runtime
 * without them), or when it pauses while its tab is hidden (`pauseWhenHidden`: it could not be
 * the one connection of the visible tabs).
 * @internal
 */
export function share(
  url: string,
  options: NormalizedOptions,
  listener: ConnectionListener,
  open: (listener: ConnectionListener) => ExtendedConnection,
): SourceConnection {
  return options.pauseWhenHidden ||
    typeof BroadcastChannel !== 'function' ||
    !globalThis.navigator?.locks
    ? open(listener)
    : new SharedConnection(url, options, listener, open)
}

/** @internal */
export class SharedConnection implements SourceConnection {
  #state: ReadyState = CONNECTING
  /** The last event ID this source dispatched (or learnt when it joined). */
  #lastEventId: string
  /** The reconnection time the stream set, once known (for the connection of a next leader). */
  #retry: number | undefined
  /** The response of the open connection, for the `open` event of sources that join. */
  #opened: Opened | undefined
  readonly #name: string
  readonly #id = Math.random().toString(36).slice(2) + Date.now().toString(36)
  readonly #listener: ConnectionListener
  readonly #open: (listener: ConnectionListener) => ExtendedConnection
  readonly #sequencer = new Sequencer()
  #channel: BroadcastChannel | undefined
  /** Withdraws the lock request; set from joining until leaving. */
  #abort: AbortController | undefined
  /** While leading: the connection, the lock's release, the epoch. */
  #connection: ExtendedConnection | undefined
  #release: (() => void) | undefined
  #epoch = ''
  #terms = 0

  constructor(
    url: string,
    options: NormalizedOptions,
    listener: ConnectionListener,
    open: (listener: ConnectionListener) => ExtendedConnection,
  ) {
    this.#name = shareName(url, options)
    this.#listener = listener
    this.#open = open
    this.#lastEventId = options.lastEventId
  }

  get readyState(): ReadyState {
    return this.#state
  }

  /** The leader's connection resumes from its own; a follower from the last event it dispatched. */
  get lastEventId(): string {
    return this.#connection ? this.#connection.lastEventId : this.#lastEventId
  }

  connect(): void {
    this.#join()
  }

  /** Detaches this source only; when it led, the next source in the queue takes over. */
  close(): void {
    this.#state = CLOSED
    this.#leave()
  }

  /** Leading: reconnects. Following: asks the leader to. Closed: joins again. */
  reconnect(): void {
    this.#state = CONNECTING
    if (this.#connection) this.#connection.reconnect()
    else if (this.#abort) this.#post({ type: 'reconnect' })
    else this.#join()
  }

  /**
   * The page is going away (closed, navigated, or into the back/forward cache): step down now,
   * silently. Left to the browser, the lock would pass on all the same, but the page's requests
   * are torn down first, and Firefox reports that as a network error, which the leader would tell
   * every tab. Its own source keeps its state: the page is no longer running its scripts.
   */
  readonly #pageHide = () => this.#leave()

  /** When the page last began to unload (`beforeunload`); see the leader's `error`. */
  #unloading = 0
  readonly #beforeUnload = () => {
    this.#unloading = Date.now()
  }

  /** Back from the back/forward cache: join the sharers again, as a follower. */
  readonly #pageShow = (event: PageTransitionEvent) => {
    if (event.persisted && this.#state !== CLOSED && this.#abort === undefined) this.#join()
  }

  #join(): void {
    const abort = new AbortController()
    this.#abort = abort
    // Workers have neither event; adding twice adds once.
    globalThis.addEventListener?.('beforeunload', this.#beforeUnload)
    globalThis.addEventListener?.('pagehide', this.#pageHide)
    globalThis.addEventListener?.('pageshow', this.#pageShow)
    try {
      const channel = new BroadcastChannel(this.#name)
      this.#channel = channel
      channel.onmessage = (event: MessageEvent<Message | null>) => {
        // Anything else on this channel's name (same-origin code only) is not ours to read.
        if (typeof event.data === 'object' && event.data !== null) this.#receive(event.data)
      }
      navigator.locks
        .request(this.#name, { signal: abort.signal }, () =>
          // Held until this source stops leading (close(), or the connection failed for good).
          // No timer on this path: background tabs, where followers live, throttle timers.
          abort.signal.aborted ? undefined : new Promise<void>((release) => this.#lead(release)),
        )
        .catch(() => {
          // Aborted by close(); otherwise Web Locks refuse this document (an opaque origin).
          if (!abort.signal.aborted) this.#alone()
        })
      this.#post({ type: 'hello', from: this.#id })
    } catch {
      this.#alone()
    }
  }

  /** Where the page cannot share after all: a connection of this source's own, told no one. */
  #alone(): void {
    this.#leaveChannel()
    this.#lead(() => {})
  }

  #lead(release: () => void): void {
    this.#release = release
    const epoch = `${this.#id}.${++this.#terms}`
    this.#epoch = epoch
    const resumeFrom = this.#lastEventId
    this.#sequencer.begin(epoch, resumeFrom)
    this.#post({ type: 'lead', epoch, resumeFrom })
    const connection = this.#open({
      open: (status, headers) => {
        const opened = { status, headers: headerPairs(headers) }
        this.#post({ type: 'open', epoch, ...opened })
        this.#opens(opened, headers)
      },
      message: (type, data, id, origin) => {
        // Posted first: a handler here that closes this source must not keep it from the rest.
        const retry = connection.reconnectionTime
        this.#post({ type: 'event', epoch, event: type, data, id, origin, retry })
        this.#dispatch(epoch, type, data, id, origin)
      },
      error: (details) => {
        // Firefox stops a page's requests as soon as it starts to navigate away, long before
        // pagehide: the connection fails for this page only. Step down silently (the next
        // source takes over), once, and follow again should the page stay after all.
        if (Date.now() - this.#unloading < 1000) {
          this.#unloading = 0
          this.#leave()
          setTimeout(() => {
            if (this.#state !== CLOSED && this.#abort === undefined) this.#join()
          }, 0)
          return
        }
        this.#post({ type: 'error', epoch, details: sendable(details) })
        this.#fails(details)
      },
    })
    connection.lastEventId = resumeFrom
    if (this.#retry !== undefined) connection.reconnectionTime = this.#retry
    this.#connection = connection
    connection.connect()
  }

  #receive(message: Message): void {
    const leading = this.#connection !== undefined
    switch (message.type) {
      case 'hello': {
        const connection = this.#connection
        if (connection === undefined) return
        this.#post({
          type: 'state',
          to: message.from,
          epoch: this.#epoch,
          opened: this.#state === OPEN ? this.#opened : undefined,
          lastEventId: connection.lastEventId,
          retry: connection.reconnectionTime,
        })
        return
      }
      case 'reconnect':
        this.#connection?.reconnect()
        return
      case 'lead':
        if (!leading) this.#sequencer.begin(message.epoch, message.resumeFrom)
        return
      case 'state':
        if (message.to !== this.#id || leading || !this.#sequencer.begin(message.epoch)) return
        this.#lastEventId = message.lastEventId
        this.#retry = message.retry
        if (message.opened) this.#opens(message.opened)
        return
      case 'event':
        this.#retry = message.retry
        this.#dispatch(message.epoch, message.event, message.data, message.id, message.origin)
        return
      case 'open':
        if (!leading && this.#sequencer.begin(message.epoch))
          this.#opens({ status: message.status, headers: message.headers })
        return
      case 'error':
        if (!leading && this.#sequencer.begin(message.epoch)) this.#fails(received(message.details))
    }
  }

  /** The connection is open: announce it, unless this source is open already (a hand-over). */
  #opens(opened: Opened, headers: ResponseHeadersLike = new Headers(opened.headers)): void {
    this.#opened = opened
    if (this.#state !== CONNECTING) return
    this.#state = OPEN
    this.#listener.open(opened.status, headers)
  }

  #dispatch(epoch: string, type: string, data: string, id: string, origin: string): void {
    if (this.#state !== OPEN || !this.#sequencer.accept(epoch, id)) return
    this.#lastEventId = id
    this.#listener.message(type, data, id, origin)
  }

  /**
   * The connection failed: reconnecting (CONNECTING), or for good (CLOSED, for every sharer). A
   * leader that failed for good keeps the lock until the others have heard it and left the
   * queue: one granted the lock first would connect again, after the server said to stop.
   */
  #fails(details: ErrorDetails): void {
    this.#opened = undefined
    this.#state = details.willRetry ? CONNECTING : CLOSED
    if (!details.willRetry) {
      const release = this.#release
      this.#release = undefined
      this.#leave()
      if (release) releaseWhenAlone(this.#name, release)
    }
    this.#listener.error(details)
  }

  #post(message: Message): void {
    this.#channel?.postMessage(message)
  }

  /** Stops leading (the lock passes on) or waiting to, and stops listening. */
  #leave(): void {
    if (this.#state === CLOSED) {
      globalThis.removeEventListener?.('beforeunload', this.#beforeUnload)
      globalThis.removeEventListener?.('pagehide', this.#pageHide)
      globalThis.removeEventListener?.('pageshow', this.#pageShow)
    }
    this.#connection?.close()
    this.#connection = undefined
    this.#release?.()
    this.#release = undefined
    this.#abort?.abort()
    this.#abort = undefined
    this.#leaveChannel()
  }

  #leaveChannel(): void {
    if (this.#channel === undefined) return
    this.#channel.onmessage = null
    this.#channel.close()
    this.#channel = undefined
  }
}

/**
 * Lets the lock `name` go once no other source waits for it, asking the lock manager at most
 * `questions` times: a frozen tab never leaves the queue. (No timer: the leader may be in a
 * background tab, where timers are throttled.)
 */
function releaseWhenAlone(name: string, release: () => void, questions = 50): void {
  navigator.locks.query().then(({ pending = [] }) => {
    if (questions > 0 && pending.some((lock) => lock.name === name))
      releaseWhenAlone(name, release, questions - 1)
    else release()
  }, release)
}
