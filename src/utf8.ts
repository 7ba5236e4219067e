/**
 * A string's UTF-8 bytes as a byte string (one character per byte), the form header values
 * take in fetch and XMLHttpRequest. Needed because fetch would send U+0080–U+00FF as single
 * latin-1 bytes, while the spec sends `Last-Event-ID` "encoded as UTF-8".
 * @internal
 */
export function utf8ByteString(value: string): string {
  // ASCII, the common case, is already its own UTF-8 encoding.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point
  if (/^[\x00-\x7f]*$/.test(value)) return value
  let bytes = ''
  for (const byte of new TextEncoder().encode(value)) bytes += String.fromCharCode(byte)
  return bytes
}
