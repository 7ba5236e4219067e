/**
 * The one seam between the library and the platform it runs on. Each build has one module that
 * offers every member of {@link Platform}: `modern.ts` (browsers, Deno, Bun, workers), `node.ts`
 * (Node: node:http and undici, its own event dispatch, Buffer's UTF-8) and `legacy.ts` (the ES5
 * `<script>` bundle: XMLHttpRequest, event stand-ins, URL without `URL`).
 *
 * Code anywhere under `src/` imports the platform as `#platform`, which package.json `imports`
 * maps per build condition (`node`, `legacy`, `default`); tsup and rollup resolve it from there,
 * so no build keeps its own list of swapped files.
 *
 * The members are named exports, not an object: a bundle then calls them directly and drops
 * what it does not use. The checks at the end of this file make `tsc` prove that every build
 * offers the same shape with the same types.
 * @internal
 */

import type { ConnectionListener } from '../core/connection.js'
import type { ExtendedConnection, SourceConnection } from '../core/extended-connection.js'
import type { NormalizedOptions } from '../core/options.js'
import type { Transport } from '../transports/transport.js'
import type * as Legacy from './legacy.js'
import type * as Modern from './modern.js'
import type * as Node from './node.js'

/** Bytes to text, streaming: a character split across chunks waits for its end. @internal */
export type Utf8Decoder = (chunk: Uint8Array) => string

/**
 * A source's listeners: where `addEventListener`, `removeEventListener` and the source's own
 * dispatch ([HTML] "fire an event") go. @internal
 */
export interface ListenerList {
  add(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  remove(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
  dispatch(event: Event): boolean
}

/** What each build's platform module exports. @internal */
export interface Platform {
  /**
   * The base class of `EventSource`: the platform's `EventTarget`, or a stand-in where it cannot
   * be subclassed (IE 11).
   */
  readonly SourceEventTarget: typeof EventTarget
  /**
   * A source's listener list, made once per source: the base class's own methods where its
   * dispatch follows the DOM standard fast enough (browsers), a list of the build's own where it
   * does not (Node, see node-events.ts). Chosen per build, so nothing branches per event.
   */
  readonly createListenerList: (target: EventTarget) => ListenerList
  /** The base class of the `open` and `error` events; the source's dispatch accepts it. */
  readonly SourceEvent: typeof Event
  /** [spec] "dispatch the event" steps 4–6: a `MessageEvent` with data, origin and last event ID. */
  readonly newMessageEvent: (
    type: string,
    data: string,
    origin: string,
    lastEventId: string,
  ) => MessageEvent<string>
  /** A fresh streaming UTF-8 decoder ([spec] "UTF-8 decode"; keeps a BOM). */
  readonly createUtf8Decoder: () => Utf8Decoder
  /** [spec] constructor steps 3–4: the absolute URL, or a SyntaxError. */
  readonly resolveUrl: (url: string) => string
  /** The serialized origin of an absolute URL ("null" for an opaque one). */
  readonly originOf: (url: string) => string
  /** `url` with the query parameter `name` set to `value`. */
  readonly withQueryParam: (url: string, name: string, value: string) => string
  /** The transport for a source with these options. */
  readonly transportFor: (options: NormalizedOptions) => Transport
  /**
   * The `share` option: the source's share of one connection per key across tabs, or
   * `undefined` in a build that does not share (each source then opens its own).
   */
  readonly shareConnection: ShareConnection | undefined
}

/**
 * Makes a shared source's connection: `open` makes a connection of the source's own (the
 * leader's, or the fallback where the page cannot share) that reports to the listener given.
 * @internal
 */
export type ShareConnection = (
  url: string,
  options: NormalizedOptions,
  listener: ConnectionListener,
  open: (listener: ConnectionListener) => ExtendedConnection,
) => SourceConnection

/** Compiles only when `T` offers every member of {@link Platform} with its type. @internal */
type Satisfies<T extends Platform> = T

/** Every build's platform module, checked against {@link Platform} by `tsc`. @internal */
export type Builds = [Satisfies<typeof Modern>, Satisfies<typeof Node>, Satisfies<typeof Legacy>]
