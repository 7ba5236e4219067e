/** Reads the `-d` body once, before connecting: every attempt then resends the same bytes. */
import { readFile } from 'node:fs/promises'
import { type DataSource, UsageError } from './args.js'

/**
 * The body's bytes. Bytes rather than a string, so fetch adds no `Content-Type` of its own and
 * files are sent exactly as they are.
 * @throws {@link UsageError} when the file cannot be read.
 */
export async function readBody(
  source: DataSource,
  // A getter, as merely touching process.stdin sets it up.
  stdin: () => AsyncIterable<Uint8Array | string>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (source.kind === 'text') return new TextEncoder().encode(source.text)
  if (source.kind === 'stdin') {
    const chunks: Uint8Array[] = []
    for await (const chunk of stdin()) {
      chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
    }
    return concat(chunks)
  }
  try {
    return new Uint8Array(await readFile(source.path))
  } catch (error) {
    const reason = (error as { code?: unknown }).code ?? String(error)
    throw new UsageError(`cannot read --data file '${source.path}' (${String(reason)})`)
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}
