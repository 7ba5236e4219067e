/**
 * A string's UTF-8 bytes as a byte string (one character per byte), the form header values
 * take in fetch and XMLHttpRequest. Needed because fetch would send U+0080–U+00FF as single
 * latin-1 bytes, while the spec sends `Last-Event-ID` "encoded as UTF-8". Written out rather
 * than using TextEncoder, which old browsers lack. Lone surrogates become U+FFFD.
 * @internal
 */
export function utf8ByteString(value: string): string {
  // ASCII, the common case, is already its own UTF-8 encoding.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point
  if (/^[\x00-\x7f]*$/.test(value)) return value
  let bytes = ''
  for (let i = 0; i < value.length; i++) {
    let code = value.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1)
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00)
        i++
      } else {
        code = 0xfffd
      }
    }
    if (code < 0x80) bytes += String.fromCharCode(code)
    else if (code < 0x800) bytes += String.fromCharCode(0xc0 | (code >> 6), 0x80 | (code & 0x3f))
    else if (code < 0x10000) {
      bytes += String.fromCharCode(
        0xe0 | (code >> 12),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      )
    } else {
      bytes += String.fromCharCode(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      )
    }
  }
  return bytes
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
