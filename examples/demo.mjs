// The newcomer's demo (`npm start`): the embedded demo server on 127.0.0.1, the command-line
// tool streaming its feed to this terminal, and the demo page in a browser. The server drops
// every connection once; the CLI (and the page) reconnect on their own and resume with
// Last-Event-ID, missing nothing. The page stays up for a while afterwards (Ctrl-C stops it).
//
//   node examples/demo.mjs [--serve-seconds N]   (default 60; 0 exits after the terminal part)
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startDemoServer } from './demo/server.mjs'

const { values } = parseArgs({ options: { 'serve-seconds': { type: 'string', default: '60' } } })
const serveSeconds = Number(values['serve-seconds'])
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

const demo = await startDemoServer({
  tickMs: 400,
  onPageFeeds: (count) => say(`the demo page's feed connections on the server: ${count}`),
})
say(`demo server on ${demo.origin}`)
say(
  `demo page:    ${demo.origin}/   (open it in a browser, in several tabs: they share one connection)`,
)
say(
  `streaming ${demo.origin}/feed with: isomorphic-eventsource ${demo.origin}/feed --max-events 14\n`,
)

const child = spawn(process.execPath, [cli, `${demo.origin}/feed`, '--max-events', '14'], {
  stdio: 'inherit',
})
const dropTimer = setTimeout(() => {
  say(`server drops every connection (dropped ${demo.drop()}), as a proxy or a deploy would`)
}, 2200)

let stopping = false
async function stop(code) {
  if (stopping) return
  stopping = true
  clearTimeout(dropTimer)
  clearTimeout(serveTimer)
  child.kill('SIGINT')
  await demo.close()
  process.exit(code)
}
let serveTimer
process.once('SIGINT', () => stop(130))

child.on('exit', (code) => {
  clearTimeout(dropTimer)
  if (stopping) return
  if (code !== 0) {
    say(`the CLI exited with ${code}`)
    stop(1)
    return
  }
  say('the terminal part is done: every tick arrived once, in order, across the drop')
  if (serveSeconds > 0) {
    say(`the page stays up at ${demo.origin}/ for ${serveSeconds} s (Ctrl-C to stop sooner)`)
    serveTimer = setTimeout(() => stop(0), serveSeconds * 1000)
  } else stop(0)
})

function say(text) {
  // Dimmed on a terminal, plain when piped.
  const [dim, reset] = process.stderr.isTTY ? ['\x1b[2m', '\x1b[0m'] : ['', '']
  process.stderr.write(`${dim}# ${text}${reset}\n`)
}
