import type { Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici'
import { invalid, type NormalizedOptions } from '../core/options.js'
import { createFetchTransport } from '../transports/fetch.js'
import { nodeHttpTransport } from '../transports/node-http.js'
import { canSendRaw } from '../transports/node-response.js'
import type { Transport } from '../transports/transport.js'
import { createUndiciTransport } from '../transports/undici.js'
import type { EventSourceFetchInit, FetchLike } from '../types.js'

/**
 * The Node transport. node:http by default; undici's `request` with a `dispatcher` (custom TLS,
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
  const rawBody =
    options.fetch === undefined && typeof options.body !== 'function' && canSendRaw(options.body)
  const direct = options.dispatcher === undefined && !proxied(proxy)
  if (rawBody && direct) return nodeHttpTransport
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
