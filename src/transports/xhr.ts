import type { Transport, TransportHandle } from './transport.js'

/**
 * `responseText` only grows during a request. Past this many characters (1 MiB of bytes) the
 * transport asks for a fresh request, which resumes from the last event ID: memory stays
 * bounded on streams that last for days. The connection replaces it unless the unfinished event
 * is most of that text (it would arrive again, past the bound again: a loop); then it waits for
 * the event to end, within `maxBufferSize`.
 * @internal
 */
export const XHR_RECYCLE_LENGTH = 1024 * 1024

/**
 * A transport on XMLHttpRequest, for browsers whose fetch cannot stream (no fetch, no
 * ReadableStream bodies, no TextDecoder or no AbortController). It reads only the new tail of
 * `responseText` on each progress, and reports the status and headers before any body, as early
 * as the engine lets it: in the engines tested, not before the first byte of the body (README,
 * "Conformance").
 *
 * The body is read as bytes (the `x-user-defined` charset maps each byte to one character) and
 * reported as a `Uint8Array`, so the event stream decodes it as every other transport's: WebKit's
 * XMLHttpRequest keeps a byte order mark split across network reads in `responseText`, where
 * UTF-8 decoding strips it. Engines without `overrideMimeType` (IE 10) report decoded text.
 *
 * [spec] The request's cache mode "no-store" makes fetch add `Cache-Control: no-cache`, which
 * XMLHttpRequest has no mode for, and it is not added as an author header: across origins that
 * header needs a CORS preflight the native request never causes, and a same-origin URL can
 * redirect to another origin, where every engine tested then sends the preflight (which fails
 * unless that origin allows the header).
 * @internal
 */
export const xhrTransport: Transport = (request, handlers): TransportHandle => {
  const xhr = new XMLHttpRequest()
  // Some engines fail a request inside send() (Chromium, for a scheme it cannot fetch): a
  // callback then would run before the transport has returned, inside the EventSource
  // constructor. While send() runs, callbacks wait for the next task.
  let sending = false
  let stopped = false
  let headed = false
  let seen = 0
  const binary = typeof xhr.overrideMimeType === 'function'

  const stop = (): void => {
    stopped = true
    xhr.onreadystatechange = null
    xhr.onprogress = null
    xhr.abort()
  }
  const status = (): number => {
    try {
      return xhr.status
    } catch {
      // Old engines throw on `status` before the headers are in.
      return 0
    }
  }
  const head = (): void => {
    if (headed || status() === 0) return
    headed = true
    handlers.onResponse({
      status: xhr.status,
      url: xhr.responseURL ?? '',
      headers: { get: (name) => xhr.getResponseHeader(name) },
    })
  }
  const deliver = (): void => {
    if (stopped || !headed) return
    const text = xhr.responseText
    // In pieces of 64 Ki characters (a progress event may bring megabytes), each a copy: a slice
    // would keep this whole responseText alive for as long as the parser holds a piece of it.
    while (!stopped && text.length > seen) {
      const end = Math.min(text.length, seen + 65536)
      if (binary) {
        const bytes = new Uint8Array(end - seen)
        for (let i = 0; i < bytes.length; i++) bytes[i] = text.charCodeAt(seen + i) & 0xff
        seen = end
        handlers.onChunk(bytes)
      } else {
        const chunk = ` ${text.slice(seen, end)}`.slice(1)
        seen = end
        handlers.onChunk(chunk)
      }
    }
    if (!stopped && seen > XHR_RECYCLE_LENGTH) handlers.onRecycle?.(seen)
  }

  xhr.open(request.method, request.url, true)
  xhr.withCredentials = request.credentials === 'include'
  // Bytes, whatever charset the server names (the stream is always UTF-8: the event stream
  // decodes it); where the bytes cannot be had, UTF-8 text.
  xhr.overrideMimeType?.(`text/plain; charset=${binary ? 'x-user-defined' : 'utf-8'}`)
  for (const name of Object.keys(request.headers))
    xhr.setRequestHeader(name, request.headers[name] as string)
  xhr.onprogress = () => {
    if (sending) setTimeout(deliver, 0)
    else deliver()
  }
  const onChange = (): void => {
    if (stopped) return
    if (xhr.readyState >= 2) head()
    if (xhr.readyState >= 3) deliver()
    if (stopped || xhr.readyState !== 4) return
    stopped = true
    // Status 0 at the end: a network error (XHR's "request error steps" reach DONE with a
    // network-error response), before the head (network or CORS failure) or mid-body (a reset,
    // a chunked or Content-Length body cut short), which must not read as the end of the stream.
    if (headed && status() !== 0) handlers.onEnd()
    else handlers.onError(new TypeError('Network request failed'))
  }
  xhr.onreadystatechange = () => {
    if (sending) setTimeout(onChange, 0)
    else onChange()
  }
  sending = true
  try {
    xhr.send((request.body as XMLHttpRequestBodyInit | null) ?? null)
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

  return {
    abort() {
      if (!stopped) stop()
    },
  }
}
