#!/usr/bin/env node
/**
 * A small reader for the V8 tick logs that `node bench/browser.mjs --prof` leaves in
 * `bench/results/prof/<client>-<round>/`: `node bench/browser/ticks.mjs <log or directory> [--top N]`.
 *
 * `node --prof-process` cannot read them: Chromium's V8 is newer than Node's and logs code
 * states the older tick processor rejects. This reads only what it needs: code creation and
 * moves, the shared libraries, and the ticks (pc plus the return addresses of the stack), and
 * prints where the renderer's main thread was, by V8 state and by function:
 * - self: the function (JS, builtin, bytecode handler, or "chromium C++") the pc is in;
 * - by JS caller: the nearest JS function on the stack, so time in Blink's C++ (a MessageEvent
 *   constructor, dispatchEvent, TextDecoder) is charged to the JS function that called it.
 * Chromium is stripped, so its C++ has no names: the caller view is what tells them apart.
 * Given a directory, it reads the page's renderer log: the one that mentions browser/page.mjs
 * (headless Chromium runs other renderers too, such as its new-tab page).
 * `--js-flags "--no-turbo-inlining --no-maglev-inlining"` keeps the callers apart (inlined, they
 * all show as the outermost function); `--prof-sampling-interval=100` (µs) gives more ticks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
})
if (positionals.length !== 1) throw new Error('usage: ticks.mjs <v8 log or directory> [--top N]')
const top = Number(values.top)

function pageLog(path) {
  if (!statSync(path).isDirectory()) return path
  for (const name of readdirSync(path)) {
    if (
      name.endsWith('.log') &&
      readFileSync(join(path, name), 'utf8').includes('browser/page.mjs')
    )
      return join(path, name)
  }
  throw new Error(`no log in ${path} mentions browser/page.mjs`)
}

const states = ['JS', 'GC', 'PARSER', 'BYTECODE_COMPILER', 'COMPILER', 'OTHER', 'EXTERNAL']
states.push('ATOMICS_WAIT', 'IDLE', 'LOGGING')

/** Code objects by start address; sorted lazily for lookups. */
const code = new Map()
let sorted = null
const libraries = []

function find(address) {
  if (sorted === null) sorted = [...code.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  let low = 0
  let high = sorted.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const [start, entry] = sorted[middle]
    if (address < start) high = middle - 1
    else if (address >= start + entry.size) low = middle + 1
    else return entry
  }
  for (const library of libraries) {
    if (address >= library.start && address < library.end) {
      return { type: 'C++', name: `${library.name.split('/').pop()} (C++)` }
    }
  }
  return null
}

const shortName = (name) => name.replace(/https?:\/\/[^/]+\//, '').trim()

const byState = new Map()
const self = new Map()
const caller = new Map()
const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1)

for (const line of readFileSync(pageLog(positionals[0]), 'utf8').split('\n')) {
  const fields = line.split(',')
  switch (fields[0]) {
    case 'shared-library':
      libraries.push({ name: fields[1], start: BigInt(fields[2]), end: BigInt(fields[3]) })
      break
    case 'code-creation': {
      // code-creation,<type>,<kind>,<timestamp>,<address>,<size>,<name>[,<sfi>,<state>]
      const state = fields[8] === undefined ? '' : fields[8]
      const tier =
        state === '~'
          ? ' [interp]'
          : state === '^'
            ? ' [sparkplug]'
            : state === '+'
              ? ' [maglev]'
              : state === '*'
                ? ' [turbofan]'
                : ''
      code.set(BigInt(fields[4]), {
        type: fields[1],
        size: BigInt(fields[5]),
        name: `${fields[1] === 'JS' ? '' : `${fields[1]}: `}${shortName(fields[6])}${tier}`,
      })
      sorted = null
      break
    }
    case 'code-move': {
      const from = BigInt(fields[1])
      const entry = code.get(from)
      if (entry) {
        code.delete(from)
        code.set(BigInt(fields[2]), entry)
        sorted = null
      }
      break
    }
    case 'tick': {
      // tick,<pc>,<timestamp>,<is external callback>,<tos or callback>,<vm state>,<stack...>
      const state = states[Number(fields[5])] ?? fields[5]
      add(byState, state)
      if (state === 'IDLE') break
      const frames = [fields[1], ...fields.slice(6)].filter(Boolean).map((a) => find(BigInt(a)))
      const here = frames[0]
      add(self, here ? here.name : '(unknown)')
      const js = frames.find((frame) => frame?.type === 'JS')
      add(caller, js ? js.name.replace(/ \[\w+\]$/, '') : '(no JS on the stack)')
      break
    }
  }
}

function table(title, map) {
  const busy = [...map.values()].reduce((sum, n) => sum + n, 0)
  console.log(`\n${title} (${busy} ticks)`)
  for (const [name, n] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${String(n).padStart(6)} ${((100 * n) / busy).toFixed(1).padStart(5)}%  ${name}`)
  }
}

table('V8 state', byState)
table('self, non-idle', self)
table('by nearest JS caller, non-idle', caller)
