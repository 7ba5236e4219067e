/**
 * The essence (`type/subtype`, lower-cased) of a `Content-Type` header value, following Fetch's
 * "extract a MIME type": the value is a comma-separated list (commas inside a quoted parameter
 * value do not separate), the last parsable entry other than `*\/*` wins, and parameters are
 * ignored. Returns `undefined` when nothing parses.
 * @internal
 */
export function mimeEssence(contentType: string | null): string | undefined {
  let essence: string | undefined
  for (const entry of contentType?.match(/(?:[^",]|"(?:\\[\s\S]|[^"\\])*"?)+/g) ?? []) {
    // A type and a subtype, both tokens, then parameters or nothing.
    const parsed = /^\s*([\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+)\s*(;|$)/.exec(entry)?.[1]
    if (parsed !== undefined && parsed !== '*/*') essence = parsed.toLowerCase()
  }
  return essence
}
