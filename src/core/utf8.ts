/**
 * A string's UTF-8 bytes as a byte string (one character per byte), the form header values
 * take in fetch and XMLHttpRequest. Needed because fetch would send U+0080–U+00FF as single
 * latin-1 bytes, while the spec sends `Last-Event-ID` "encoded as UTF-8". encodeURIComponent
 * gives the UTF-8 bytes as `%XX` escapes, which unescape turns into one character each (both in
 * every engine, unlike TextEncoder). Lone surrogates, which encodeURIComponent refuses, become
 * U+FFFD first, as TextEncoder makes them.
 * @internal
 */
export function utf8ByteString(value: string): string {
  return unescape(
    encodeURIComponent(
      value.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, (unit) =>
        unit.length === 2 ? unit : '\ufffd',
      ),
    ),
  )
}

interface NavigatorLike {
  readonly navigator?: { readonly userAgent?: string }
}

// WebKit encodes header values as UTF-8 itself (in fetch and XMLHttpRequest alike), where other
// engines send each character as one byte: encoding first would send it twice. Seen on the wire
// in WebKitGTK and WPE WebKit; nothing but the user agent tells (iOS browsers are all WebKit).
const userAgent = (globalThis as NavigatorLike).navigator?.userAgent ?? ''
const platformEncodesUtf8 =
  /AppleWebKit/.test(userAgent) && !/Chrome\/|Chromium|Edg\//.test(userAgent)

/**
 * A header value that reaches the wire as the UTF-8 bytes of `value`. On WebKit that holds for
 * text up to U+00FF only: WebKit encodes values itself but refuses characters beyond U+00FF
 * (fetch's ByteString rule), so such text goes pre-encoded and arrives encoded twice, which at
 * least keeps the connection working.
 * @internal
 */
export function utf8HeaderValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the latin-1 range is the point
  return platformEncodesUtf8 && /^[\x00-\xff]*$/.test(value) ? value : utf8ByteString(value)
}
