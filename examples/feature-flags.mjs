// A Node service following a feature-flag stream. It stores the last event id in a file, so a
// restart resumes where it stopped instead of replaying every change. Run it twice:
//   node examples/feature-flags.mjs   # receives changes 1-3, stores the id, exits
//   node examples/feature-flags.mjs   # resumes after the stored id: receives 4-6
// The stream server is embedded (127.0.0.1); its change log stands in for a real flag service.
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventSource } from 'isomorphic-eventsource'

const stateFile = process.env.FLAGS_STATE_FILE ?? join(tmpdir(), 'isomorphic-eventsource-flags.id')
const changes = [
  { flag: 'new-checkout', on: true },
  { flag: 'dark-mode', on: true },
  { flag: 'beta-search', on: false },
  { flag: 'new-checkout', on: false },
  { flag: 'dark-mode', on: false },
  { flag: 'beta-search', on: true },
]
const BATCH = 3

const server = http.createServer((request, response) => {
  const after = Number(request.headers['last-event-id'] ?? 0)
  response.writeHead(200, { 'Content-Type': 'text/event-stream' })
  changes.forEach((change, index) => {
    const id = index + 1
    if (id > after) response.write(`id: ${id}\nevent: flag\ndata: ${JSON.stringify(change)}\n\n`)
  })
})

server.listen(0, '127.0.0.1', () => {
  let stored = ''
  try {
    stored = readFileSync(stateFile, 'utf8')
  } catch {
    // First run: nothing stored yet.
  }
  console.log(stored ? `resuming after change ${stored}` : 'starting from the beginning')
  const source = new EventSource(`http://127.0.0.1:${server.address().port}/flags`, {
    lastEventId: stored,
  })
  let received = 0
  source.addEventListener('flag', (event) => {
    const { flag, on } = JSON.parse(event.data)
    console.log(`change ${event.lastEventId}: ${flag} is ${on ? 'on' : 'off'}`)
    // Stored before the next event is handled: a crash can repeat no change, skip none.
    writeFileSync(stateFile, source.lastEventId)
    if (++received === BATCH || event.lastEventId === String(changes.length)) {
      // Stands in for a restart or a deploy.
      source.close()
      server.close()
      server.closeAllConnections()
    }
  })
})
