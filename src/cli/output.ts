/**
 * How events and status lines look: JSON lines, or readable text with ANSI colours when the
 * stream is a terminal. Pure functions of their inputs.
 */

/** An event as the CLI prints it. */
export interface PrintedEvent {
  readonly type: string
  /** The source's last event ID when the event was dispatched ('' for none). */
  readonly id: string
  readonly data: string
  readonly origin: string
  readonly time: Date
}

/** Colour functions; identity functions when colours are off. */
export interface Palette {
  readonly type: (text: string) => string
  readonly dim: (text: string) => string
  readonly ok: (text: string) => string
  readonly warn: (text: string) => string
  readonly bad: (text: string) => string
}

/**
 * Whether to colour a stream: `FORCE_COLOR` (anything but `0`/`false`) forces it on, a non-empty
 * `NO_COLOR` (no-color.org) turns it off, otherwise a terminal that is not `dumb` gets colours.
 */
export function useColor(
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const force = env['FORCE_COLOR']
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  const noColor = env['NO_COLOR']
  if (noColor !== undefined && noColor !== '') return false
  return stream.isTTY === true && env['TERM'] !== 'dumb'
}

// SGR pairs with their own reset codes, so nesting and neighbouring text stay intact.
const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`
const plain = (text: string) => text

/** The palette for a stream that does (or does not) take colours. */
export function palette(color: boolean): Palette {
  if (!color) return { type: plain, dim: plain, ok: plain, warn: plain, bad: plain }
  const bold = sgr(1, 22)
  const cyan = sgr(36, 39)
  return {
    type: (text) => bold(cyan(text)),
    dim: sgr(2, 22),
    ok: sgr(32, 39),
    warn: sgr(33, 39),
    bad: sgr(31, 39),
  }
}

/** One JSON object per line: `{type, id, data, origin, time}` (`time` in ISO 8601). */
export function formatJson(event: PrintedEvent): string {
  const { type, id, data, origin, time } = event
  return `${JSON.stringify({ type, id, data, origin, time: time.toISOString() })}\n`
}

/**
 * `type id=ID  data`, further data lines aligned under the first. Control characters from the
 * server are shown escaped, so a stream cannot drive the terminal.
 */
export function formatText(event: PrintedEvent, colors: Palette): string {
  const type = visible(event.type)
  const id = event.id === '' ? '' : ` id=${visible(event.id)}`
  const head = `${colors.type(type)}${colors.dim(id)}`
  const indent = ' '.repeat(type.length + id.length + 2)
  const [first = '', ...rest] = event.data.split('\n').map(visible)
  const lines = [first === '' ? head : `${head}  ${first}`]
  for (const line of rest) lines.push(line === '' ? '' : `${indent}${line}`)
  return `${lines.join('\n')}\n`
}

/** A status line for stderr: `* text`, coloured by kind. */
export function formatStatus(
  kind: 'ok' | 'warn' | 'bad' | 'dim',
  text: string,
  colors: Palette,
): string {
  return `${colors[kind](`* ${visible(text)}`)}\n`
}

// C0 controls but tab, DEL and C1 controls: escape sequences start with ESC or CSI (U+009B).
// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what this matches
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g

/** Escapes control characters as `\xNN`, so untrusted text prints as text. */
export function visible(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
