import { EnvHttpProxyAgent, ProxyAgent, fetch as undiciFetch } from 'undici'
import type { FetchLike, NormalizedOptions } from './options.js'
import type { Transport } from './transport.js'
import { createFetchTransport } from './transports/fetch.js'
import { createUndiciTransport, undiciCanSend } from './transports/undici.js'

/**
 * The Node transport: undici's fetch with a Dispatcher, for custom TLS, sockets and proxies.
 * Proxies follow curl: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (either case) unless `proxy` says
 * otherwise. As curl does, http:// goes to the proxy as an absolute-form request (many proxies
 * allow CONNECT only to port 443) and https:// is tunnelled with CONNECT, TLS still verified.
 * @internal
 */
export function platformTransport(options: NormalizedOptions): Transport {
  const dispatcher = options.dispatcher ?? proxyDispatcher(options.proxy)
  // undici's request API: far less work per request and per chunk than fetch (bench/). Bodies
  // only fetch can encode (Blob, FormData, streams, functions that may return them), and a
  // `fetch` option, go through fetch.
  if (
    options.fetch === undefined &&
    typeof options.body !== 'function' &&
    undiciCanSend(options.body)
  ) {
    return createUndiciTransport(dispatcher as Parameters<typeof createUndiciTransport>[0])
  }
  const extraInit = dispatcher === undefined ? undefined : { dispatcher }
  return createFetchTransport(options.fetch ?? (undiciFetch as unknown as FetchLike), extraInit)
}

// Dispatchers hold connection pools: share them between sources instead of one per source.
let environmentProxy: EnvHttpProxyAgent | undefined
const explicitProxies = new Map<string, ProxyAgent>()

function proxyDispatcher(proxy: false | string | undefined): object | undefined {
  if (proxy === false) return undefined
  if (proxy !== undefined) {
    let agent = explicitProxies.get(proxy)
    if (agent === undefined) {
      agent = new ProxyAgent({ uri: proxy, proxyTunnel: false })
      explicitProxies.set(proxy, agent)
    }
    return agent
  }
  if (!hasProxyEnvironment()) return undefined
  environmentProxy ??= new EnvHttpProxyAgent({ proxyTunnel: false })
  return environmentProxy
}

function hasProxyEnvironment(): boolean {
  const env = process.env
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy'])
}
