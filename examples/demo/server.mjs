// The demo's embedded server (127.0.0.1 only): the demo page (and /old-browser, the <script>
// bundle example), the library's browser builds, and
// three endpoints: a live feed, an LLM-style token stream (POST with Authorization), and a
// "drop" endpoint that cuts every feed connection so the page shows reconnect and resume.
import { readFile } from 'node:fs/promises'
import http from 'node:http'

const page = new URL('./index.html', import.meta.url)
const oldBrowserPage = new URL('../old-browser.html', import.meta.url)
const browserBuild = new URL('../../dist/index.js', import.meta.url)
// What dist/index.js loads on demand for a source with `share`.
const shareChunk = new URL('../../dist/share.js', import.meta.url)
const legacyBundle = new URL('../../dist/eventsource.legacy.min.js', import.meta.url)
const answer =
  'Server-sent events stream text over plain HTTP. The browser reconnects on its own and resumes with Last-Event-ID, so nothing is lost when a proxy cuts the line.'.split(
    ' ',
  )

/**
 * Starts the demo server; resolves with its origin and a close function. `onPageFeeds` hears the
 * count of open feed connections from the demo page (`/feed?client=page`) whenever it changes:
 * with `share`, one for any number of tabs.
 */
export async function startDemoServer({ port = 0, tickMs = 1000, onPageFeeds = () => {} } = {}) {
  const feeds = new Set()
  const pageFeeds = new Set()
  // The last ticks, so a client that reconnects with Last-Event-ID gets what it missed.
  const history = []
  let tick = 0
  const timer = setInterval(() => {
    tick++
    const price = (100 + 5 * Math.sin(tick / 3)).toFixed(2)
    // Each tick says how many page connections the server holds, so every tab can show it.
    const data = JSON.stringify({ n: tick, price, pageFeeds: pageFeeds.size })
    const message = `id: ${tick}\nevent: tick\ndata: ${data}\n\n`
    history.push({ id: tick, message })
    if (history.length > 1000) history.shift()
    for (const response of feeds) response.write(message)
  }, tickMs)

  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    if (request.method === 'GET' && path === '/') {
      response
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(await readFile(page))
    } else if (request.method === 'GET' && path === '/old-browser') {
      response
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(await readFile(oldBrowserPage))
    } else if (request.method === 'GET' && path === '/dist/eventsource.legacy.min.js') {
      response
        .writeHead(200, { 'Content-Type': 'text/javascript' })
        .end(await readFile(legacyBundle))
    } else if (
      request.method === 'GET' &&
      (path === '/dist/index.js' || path === '/dist/share.js')
    ) {
      response
        .writeHead(200, { 'Content-Type': 'text/javascript' })
        .end(await readFile(path === '/dist/index.js' ? browserBuild : shareChunk))
    } else if (request.method === 'GET' && path === '/feed') {
      openFeed(request, response)
    } else if (request.method === 'POST' && path === '/chat') {
      await chat(request, response)
    } else if (request.method === 'POST' && path === '/drop') {
      const dropped = drop()
      response
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ dropped }))
    } else {
      response.writeHead(404).end()
    }
  })

  function openFeed(request, response) {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
    const last = request.headers['last-event-id']
    response.write(
      `retry: 1000\nevent: hello\ndata: ${JSON.stringify({ resumedAfter: last ?? null })}\n\n`,
    )
    // Resume: replay what the client missed since its Last-Event-ID, then continue live.
    if (last !== undefined) {
      for (const { id, message } of history) if (id > Number(last)) response.write(message)
    }
    feeds.add(response)
    const fromPage = new URL(request.url ?? '/', 'http://x').searchParams.get('client') === 'page'
    if (fromPage) {
      pageFeeds.add(response)
      onPageFeeds(pageFeeds.size)
    }
    response.on('close', () => {
      feeds.delete(response)
      if (fromPage && pageFeeds.delete(response)) onPageFeeds(pageFeeds.size)
    })
  }

  /** Cuts every feed connection, as a proxy timeout or a deploy would. */
  function drop() {
    const dropped = feeds.size
    for (const feed of feeds) feed.destroy()
    return dropped
  }

  async function chat(request, response) {
    const auth = request.headers.authorization ?? ''
    if (!auth.startsWith('Bearer demo-token')) {
      response.writeHead(401, { 'Content-Type': 'text/plain' }).end('missing or bad token')
      return
    }
    let body = ''
    for await (const chunk of request) body += chunk
    const { prompt = '' } = JSON.parse(body || '{}')
    const from = Number(request.headers['last-event-id'] ?? -1) + 1
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
    for (let i = from; i < answer.length && !response.destroyed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60))
      response.write(`id: ${i}\nevent: token\ndata: ${JSON.stringify(`${answer[i]} `)}\n\n`)
    }
    response.end(`event: done\ndata: ${JSON.stringify({ prompt, tokens: answer.length })}\n\n`)
  }

  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`
  return {
    origin,
    drop,
    /** Open feed connections from the demo page (any number of tabs: one, with `share`). */
    pageFeeds: () => pageFeeds.size,
    close() {
      clearInterval(timer)
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}
