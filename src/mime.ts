const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * The essence (`type/subtype`, lower-cased) of a `Content-Type` header value, following Fetch's
 * "extract a MIME type": the value is a comma-separated list, the last parsable entry other than
 * `*\/*` wins, and parameters are ignored. Returns `undefined` when nothing parses.
 * @internal
 */
export function mimeEssence(contentType: string | null): string | undefined {
  if (contentType === null) return undefined
  let essence: string | undefined
  for (const value of splitOutsideQuotes(contentType)) {
    const parsed = parseEssence(value)
    if (parsed !== undefined && parsed !== '*/*') essence = parsed
  }
  return essence
}

function parseEssence(value: string): string | undefined {
  const semicolon = value.indexOf(';')
  const head = (semicolon === -1 ? value : value.slice(0, semicolon)).trim()
  const slash = head.indexOf('/')
  if (slash === -1) return undefined
  const type = head.slice(0, slash)
  const subtype = head.slice(slash + 1)
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined
  return `${type}/${subtype}`.toLowerCase()
}

// Commas inside a quoted parameter value ("a,b") do not separate entries.
function splitOutsideQuotes(header: string): string[] {
  const parts: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < header.length; i++) {
    const char = header[i]
    if (char === '"') quoted = !quoted
    else if (char === '\\' && quoted) i++
    else if (char === ',' && !quoted) {
      parts.push(header.slice(start, i))
      start = i + 1
    }
  }
  parts.push(header.slice(start))
  return parts
}
