import type { Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici'
import { invalid, type NormalizedOptions } from '../core/options.js'
import { createFetchTransport } from '../transports/fetch.js'
import { createNodeHttpTransport } from '../transports/node-http.js'
import type { HttpVersion } from '../transports/node-origin.js'
import { canSendRaw } from '../transports/node-response.js'
import type { Transport } from '../transports/transport.js'
import { createUndiciTransport } from '../transports/undici.js'
import type { EventSourceFetchInit, FetchLike } from '../types.js'

/** The node:http(s)/http2 transport per `httpVersion`: made once, shared by every source. */
const nodeTransports: Record<HttpVersion, Transport> = {
  auto: createNodeHttpTransport('auto'),
  '1.1': createNodeHttpTransport('1.1'),
  '2': createNodeHttpTransport('2'),
}

/**
 * The Node transport. node:http(s), and node:http2 where the server speaks it, by default; undici's `request` with a `dispatcher` (custom TLS,
 * sockets) or a proxy; fetch (undici's, or the `fetch` option) for bodies only fetch can encode
 * (Blob, FormData, streams, functions that may return them). undici is loaded only when one of
 * those needs it.
 *
 * Proxies follow curl: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (either case) unless `proxy` says
 * otherwise. As curl does, http:// goes to the proxy as an absolute-form request (many proxies
 * allow CONNECT only to port 443) and https:// is tunnelled with CONNECT, TLS still verified.
 * @internal
 */
export function transportFor(options: NormalizedOptions): Transport {
  const proxy = normalizeProxy(options.proxy)
  const version = normalizeHttpVersion(options.httpVersion)
  const rawBody =
    options.fetch === undefined && typeof options.body !== 'function' && canSendRaw(options.body)
  const direct = options.dispatcher === undefined && !proxied(proxy)
  if (rawBody && direct) return nodeTransports[version]
  // undici or a fetch makes the connections: they speak what they speak (undici's `allowH2`).
  if (version === '2') {
    const by =
      options.dispatcher !== undefined
        ? 'the "dispatcher" option'
        : !direct
          ? 'a proxy'
          : 'the "fetch" option or a body only fetch can send'
    throw invalid('httpVersion', `"auto" or "1.1" when ${by} makes the connections`, '2')
  }
  const dispatcher = (): Promise<Dispatcher | undefined> =>
    options.dispatcher === undefined
      ? proxyDispatcher(proxy)
      : Promise.resolve(options.dispatcher as Dispatcher)
  if (rawBody) return createUndiciTransport(dispatcher)
  const baseFetch = options.fetch
  // Called as given, not from an async wrapper: a `fetch` option that throws is a programming
  // error the transport must tell from a rejection (a network error).
  if (baseFetch !== undefined && direct) return createFetchTransport(baseFetch)
  const fetchWithDispatcher: FetchLike = async (input, init) => {
    const fetch = baseFetch ?? ((await import('undici')).fetch as unknown as FetchLike)
    const agent = direct ? undefined : await dispatcher()
    return fetch(
      input,
      agent === undefined ? init : ({ ...init, dispatcher: agent } as EventSourceFetchInit),
    )
  }
  return createFetchTransport(fetchWithDispatcher)
}

/**
 * The `proxy` option, checked here since only Node's transports use it (elsewhere it is ignored,
 * so isomorphic code may pass it everywhere): `false`, or an http(s) URL as a string.
 */
function normalizeProxy(proxy: unknown): false | string | undefined {
  if (proxy === undefined || proxy === false) return proxy
  const url = typeof proxy === 'string' || proxy instanceof URL ? String(proxy) : undefined
  // Never shown: a proxy URL may carry credentials.
  if (url === undefined || !/^https?:\/\//i.test(url))
    throw invalid('proxy', 'false or an http(s):// URL')
  return url
}

function normalizeHttpVersion(version: unknown): HttpVersion {
  if (version === undefined) return 'auto'
  if (version === 'auto' || version === '1.1' || version === '2') return version
  throw invalid('httpVersion', '"auto", "1.1" or "2"', version)
}

function proxied(proxy: false | string | undefined): boolean {
  return proxy === undefined ? hasProxyEnvironment() : proxy !== false
}

// Dispatchers hold connection pools: share them between sources instead of one per source.
let environmentProxy: Promise<EnvHttpProxyAgent> | undefined
const explicitProxies = new Map<string, Promise<ProxyAgent>>()

function proxyDispatcher(proxy: false | string | undefined): Promise<Dispatcher | undefined> {
  if (proxy === false) return Promise.resolve(undefined)
  if (proxy !== undefined) {
    let agent = explicitProxies.get(proxy)
    if (agent === undefined) {
      agent = import('undici').then(
        ({ ProxyAgent }) => new ProxyAgent({ uri: proxy, proxyTunnel: false }),
      )
      explicitProxies.set(proxy, agent)
    }
    return agent
  }
  if (!hasProxyEnvironment()) return Promise.resolve(undefined)
  environmentProxy ??= import('undici').then(
    ({ EnvHttpProxyAgent }) => new EnvHttpProxyAgent({ proxyTunnel: false }),
  )
  return environmentProxy
}

function hasProxyEnvironment(): boolean {
  const env = process.env
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy'])
}
