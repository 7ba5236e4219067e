// The newcomer's demo (`npm start`): an embedded SSE server on 127.0.0.1 and a client built on
// the library. The server drops the connection once mid-stream; the client reconnects on its
// own and the server resumes after the Last-Event-ID the client sent. Exits by itself, or on
// Ctrl-C.
import http from 'node:http'
import { EventSource } from 'isomorphic-eventsource'

const TOTAL = 10
const DROP_BEFORE = 4
const INTERVAL_MS = 250
let dropped = false

const server = http.createServer((request, response) => {
  if (request.url !== '/stream') {
    response.writeHead(404).end()
    return
  }
  const lastEventId = request.headers['last-event-id']
  const from = lastEventId === undefined ? 1 : Number(lastEventId) + 1
  log(
    'server',
    lastEventId === undefined ? 'new client' : `client resumes with Last-Event-ID: ${lastEventId}`,
  )
  response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
  // Reconnect after 1 s instead of the default 3 s.
  response.write('retry: 1000\n\n')
  let id = from
  const timer = setInterval(() => {
    if (id > TOTAL) {
      response.write('event: done\ndata: that is all\n\n')
      clearInterval(timer)
      return
    }
    if (id === DROP_BEFORE && !dropped) {
      dropped = true
      log('server', `drops the connection before event ${id}, as a proxy or a deploy would`)
      clearInterval(timer)
      response.socket?.destroy()
      return
    }
    response.write(`id: ${id}\nevent: tick\ndata: ${JSON.stringify({ n: id })}\n\n`)
    id++
  }, INTERVAL_MS)
  response.on('close', () => clearInterval(timer))
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  const url = `http://127.0.0.1:${port}/stream`
  log('server', `listening on ${url}`)

  const source = new EventSource(url)
  const finish = (why) => {
    source.close()
    server.close()
    server.closeAllConnections()
    log('client', `${why}; closed`)
  }
  source.onopen = () => log('client', 'open')
  source.onerror = () =>
    log(
      'client',
      source.readyState === EventSource.CONNECTING ? 'connection lost, reconnecting…' : 'failed',
    )
  source.addEventListener('tick', (event) =>
    log('client', `tick id=${event.lastEventId} data=${event.data}`),
  )
  source.addEventListener('done', () => finish('server says done'))
  process.once('SIGINT', () => finish('Ctrl-C'))
})

function log(who, text) {
  console.log(`${new Date().toISOString().slice(11, 23)}  ${who.padEnd(6)}  ${text}`)
}
