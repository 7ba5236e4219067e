import type { Transport, TransportHandle } from './transport.js'

/**
 * `responseText` only grows during a request. Past this many characters (1 MiB) the transport
 * asks for a fresh request, which resumes from the last event ID: memory stays bounded on
 * streams that last for days.
 * @internal
 */
export const XHR_RECYCLE_LENGTH = 1024 * 1024

/**
 * URLs whose request failed with `Cache-Control` and worked without it: a same-origin URL that
 * redirects to another origin, where the author header needs a CORS preflight (see below).
 */
const needsNoPreflight: Record<string, true> = {}

/**
 * Whether `url` has the origin of the page (or worker) running this: absolute URLs are
 * serialized, so a same-origin one starts with the location's origin and a slash.
 */
function sameOrigin(url: string): boolean {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location
  return location !== undefined && url.indexOf(`${location.protocol}//${location.host}/`) === 0
}

/**
 * A transport on XMLHttpRequest, for browsers whose fetch cannot stream (no fetch, no
 * ReadableStream bodies, no TextDecoder or no AbortController). It reads only the new tail of
 * `responseText` on each progress, and reports the status and headers before any body, as early
 * as the engine lets it (see the README: no engine tested reports them before the first byte).
 *
 * The body is read as bytes (the `x-user-defined` charset maps each byte to one character) and
 * reported as a `Uint8Array`, so the event stream decodes it as every other transport's: WebKit's
 * XMLHttpRequest keeps a byte order mark split across network reads in `responseText`, where
 * UTF-8 decoding strips it. Engines without `overrideMimeType` (IE 10) report decoded text.
 * @internal
 */
export const xhrTransport: Transport = (request, handlers): TransportHandle => {
  let xhr: XMLHttpRequest
  let stopped = false
  const stop = (): void => {
    stopped = true
    xhr.onreadystatechange = null
    xhr.onprogress = null
    xhr.abort()
  }
  // [spec] the request's cache mode "no-store" makes fetch add `Cache-Control: no-cache` (and
  // `Pragma: no-cache`), which XMLHttpRequest has no mode for: it is sent as an author header
  // on same-origin requests. Across origins it is not: an author `Cache-Control` makes the
  // request need a CORS preflight, which the native object never sends.
  const url = request.url
  send(sameOrigin(url) && !needsNoPreflight[url], false)

  function send(noCache: boolean, retried: boolean): void {
    const current = new XMLHttpRequest()
    xhr = current
    // Some engines fail a request inside send() (Chromium, for a scheme it cannot fetch): a
    // callback then would run before the transport has returned, inside the EventSource
    // constructor. While send() runs, callbacks wait for the next task.
    let sending = false
    let headed = false
    let seen = 0
    const binary = typeof current.overrideMimeType === 'function'

    const status = (): number => {
      try {
        return current.status
      } catch {
        // Old engines throw on `status` before the headers are in.
        return 0
      }
    }
    const head = (): void => {
      if (headed || status() === 0) return
      headed = true
      // A response to the request sent again without the header (see onChange): remember.
      if (retried) needsNoPreflight[url] = true
      handlers.onResponse({
        status: current.status,
        url: current.responseURL ?? '',
        headers: { get: (name) => current.getResponseHeader(name) },
      })
    }
    const deliver = (): void => {
      if (stopped || !headed) return
      const text = current.responseText
      if (text.length > seen) {
        const chunk = text.slice(seen)
        seen = text.length
        if (binary) {
          const bytes = new Uint8Array(chunk.length)
          for (let i = 0; i < chunk.length; i++) bytes[i] = chunk.charCodeAt(i) & 0xff
          handlers.onChunk(bytes)
        } else {
          handlers.onChunk(chunk)
        }
      }
      if (!stopped && seen > XHR_RECYCLE_LENGTH && handlers.onRecycle !== undefined) {
        stop()
        handlers.onRecycle()
      }
    }

    current.open(request.method, request.url, true)
    current.withCredentials = request.credentials === 'include'
    // Bytes, whatever charset the server names (the stream is always UTF-8: the event stream
    // decodes it); where the bytes cannot be had, UTF-8 text.
    current.overrideMimeType?.(`text/plain; charset=${binary ? 'x-user-defined' : 'utf-8'}`)
    const headers = request.headers
    for (const name of Object.keys(headers)) current.setRequestHeader(name, headers[name] as string)
    if (noCache) {
      if (headers['cache-control'] === undefined)
        current.setRequestHeader('Cache-Control', 'no-cache')
      if (headers['pragma'] === undefined) current.setRequestHeader('Pragma', 'no-cache')
    }
    current.onprogress = () => {
      if (sending) setTimeout(deliver, 0)
      else deliver()
    }
    const onChange = (): void => {
      if (stopped) return
      if (current.readyState >= 2) head()
      if (current.readyState >= 3) deliver()
      if (stopped || current.readyState !== 4) return
      // Failed before any response with the header: a same-origin URL may have redirected to
      // another origin, whose preflight for the header failed. Sent once more without it, at
      // once and without an event; if that works, this URL goes without it from now on.
      if (!headed && noCache) {
        current.onreadystatechange = null
        current.onprogress = null
        send(false, true)
        return
      }
      stopped = true
      // Status 0 at the end: a network error (XHR's "request error steps" reach DONE with a
      // network-error response), before the head (network or CORS failure) or mid-body (a
      // reset, a chunked or Content-Length body cut short), which must not read as the end of
      // the stream.
      if (headed && status() !== 0) handlers.onEnd()
      else handlers.onError(new TypeError('Network request failed'))
    }
    current.onreadystatechange = () => {
      if (sending) setTimeout(onChange, 0)
      else onChange()
    }
    sending = true
    try {
      current.send((request.body as XMLHttpRequestBodyInit | null) ?? null)
    } catch (error) {
      // A body XMLHttpRequest cannot send: a failed attempt, reported as the contract says.
      setTimeout(() => {
        if (stopped) return
        stopped = true
        handlers.onError(error)
      }, 0)
    } finally {
      sending = false
    }
  }

  return {
    abort() {
      if (!stopped) stop()
    },
  }
}
