// An LLM-style token stream: POST a prompt with an Authorization header whose token expires.
// The header function runs before every attempt, so a reconnect carries a fresh token; the
// server resumes after Last-Event-ID. Run: node examples/llm-stream.mjs (it starts its own
// server on 127.0.0.1 and exits when the answer is complete).
import http from 'node:http'
import { EventSource } from 'isomorphic-eventsource'

const answer = 'Server-sent events are a simple, one-way stream over plain HTTP.'.split(' ')
let issued = 0
const valid = new Set()

const server = http.createServer(async (request, response) => {
  let body = ''
  for await (const chunk of request) body += chunk
  const token = (request.headers.authorization ?? '').replace('Bearer ', '')
  if (!valid.has(token)) return response.writeHead(401).end()
  valid.delete(token) // one use per token: a reconnect needs a new one
  const { prompt } = JSON.parse(body)
  const from = Number(request.headers['last-event-id'] ?? -1) + 1
  response.writeHead(200, { 'Content-Type': 'text/event-stream' })
  response.write('retry: 200\n\n')
  for (let i = from; i < answer.length; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30))
    response.write(`id: ${i}\nevent: token\ndata: ${JSON.stringify({ text: `${answer[i]} ` })}\n\n`)
    // The connection drops once mid-answer, as proxies and load balancers do.
    if (i === 4 && from === 0) return response.destroy()
  }
  response.end(`event: done\ndata: ${JSON.stringify({ prompt, tokens: answer.length })}\n\n`)
})

server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/v1/chat`
  const source = new EventSource(url, {
    method: 'POST',
    headers: async ({ attempt }) => {
      const token = `token-${++issued}`
      valid.add(token)
      console.error(`[attempt ${attempt}] using ${token}`)
      return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
    },
    body: JSON.stringify({ prompt: 'What are server-sent events?' }),
    retry: { initialDelay: 200, statuses: [503] },
  })
  source.addEventListener('token', (event) => process.stdout.write(JSON.parse(event.data).text))
  source.addEventListener('done', () => {
    process.stdout.write('\n')
    source.close()
    server.close()
  })
  source.addEventListener('error', (event) => {
    if (event.willRetry) console.error(`[${event.message}; reconnecting in ${event.delay} ms]`)
    else {
      console.error(`[failed: ${event.message}]`)
      server.close()
    }
  })
})
