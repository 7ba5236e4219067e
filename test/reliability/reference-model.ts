/**
 * A reference model of WHATWG HTML "Interpreting an event stream", written straight from the
 * spec's prose and kept deliberately naive (whole input at once, a regular expression for line
 * ends, one function per spec paragraph), so it can be trusted as an oracle for the streaming,
 * chunked implementation in src/core/event-stream.ts.
 *
 * It reports in the vocabulary of `EventStreamCallbacks`:
 * - `retry:<ms>` when a `retry` field made only of ASCII digits is processed (at the field);
 * - `id:<json>` when a block that had an `id` field without U+0000 is dispatched;
 * - `<type>:<json data>` when a block with a non-empty data buffer is dispatched.
 *
 * About `id`: the spec's last event ID buffer persists across blocks, and every dispatch copies
 * it to the source's last event ID string. Reporting only blocks that set it is equivalent, as
 * long as the buffer starts as the source's current last event ID (as browsers do on reconnect):
 * re-copying an unchanged buffer changes nothing. An `id` field with U+0000 is ignored, so the
 * buffer keeps its previous value; a block with only such a field reports nothing.
 */

/** One report, as the model (and the test's callbacks) spell it. */
export type Report = string

export const eventReport = (type: string, data: string): Report => `${type}:${JSON.stringify(data)}`
export const idReport = (id: string): Report => `id:${JSON.stringify(id)}`
export const retryReport = (milliseconds: number): Report => `retry:${milliseconds}`

/** The reports for a whole response body, given as bytes. */
export function interpretEventStreamModel(body: Uint8Array): Report[] {
  // "Streams must be decoded using the UTF-8 decode algorithm": U+FFFD for invalid sequences,
  // and exactly one leading BOM stripped (TextDecoder's defaults: fatal false, ignoreBOM false).
  const text = new TextDecoder('utf-8').decode(body)
  const reports: Report[] = []

  // "When a stream is parsed, a data buffer, an event type buffer, and a last event ID buffer
  // must be associated with it. They must be initialized to the empty string."
  let dataBuffer = ''
  let eventTypeBuffer = ''
  let lastEventIdBuffer = ''
  let blockSetId = false

  const dispatch = (): void => {
    // 1. "Set the last event ID string of the event source to the value of the last event ID
    // buffer. The buffer does not get reset."
    if (blockSetId) reports.push(idReport(lastEventIdBuffer))
    blockSetId = false
    // 2. "If the data buffer is an empty string, set the data buffer and the event type buffer
    // to the empty string and return."
    if (dataBuffer === '') {
      eventTypeBuffer = ''
      return
    }
    // 3. "If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove
    // the last character from the data buffer."
    const data = dataBuffer.endsWith('\n') ? dataBuffer.slice(0, -1) : dataBuffer
    // 4–6. The event type is the event type buffer, or "message" when it is empty.
    reports.push(eventReport(eventTypeBuffer === '' ? 'message' : eventTypeBuffer, data))
    // 7. "Set the data buffer and the event type buffer to the empty string."
    dataBuffer = ''
    eventTypeBuffer = ''
  }

  const processField = (field: string, value: string): void => {
    // "The field names must be compared literally, with no case folding performed."
    switch (field) {
      case 'event':
        eventTypeBuffer = value
        break
      case 'data':
        dataBuffer += `${value}\n`
        break
      case 'id':
        if (!value.includes('\u0000')) {
          lastEventIdBuffer = value
          blockSetId = true
        }
        break
      case 'retry':
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten". An empty value has no digits: ignored, as browsers do.
        if (/^[0-9]+$/.test(value)) reports.push(retryReport(Number(value)))
        break
      default:
      // "Otherwise: The field is ignored."
    }
  }

  const processLine = (line: string): void => {
    // "If the line is empty (a blank line): Dispatch the event."
    if (line === '') {
      dispatch()
      return
    }
    // "If the line starts with a U+003A COLON character (:): Ignore the line."
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    if (colon === -1) {
      // "Otherwise, the string is not empty but does not contain a U+003A COLON character: the
      // whole line is the field name, and the empty string is the field value."
      processField(line, '')
      return
    }
    // "Collect the characters on the line before the first U+003A COLON character (:) ... the
    // characters after it ... If value starts with a U+0020 SPACE character, remove it."
    const value = line.slice(colon + 1)
    processField(line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value)
  }

  // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
  // character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN
  // (CR) character." Text after the last line end is an incomplete line: "once the end of the
  // file is reached, any pending data must be discarded", and so is an unterminated block.
  let start = 0
  for (const match of text.matchAll(/\r\n|\r|\n/g)) {
    processLine(text.slice(start, match.index))
    start = match.index + match[0].length
  }
  return reports
}
