/**
 * Gates on the built files (run after `npm run build`, which is `tsup && rollup -c`): the legacy
 * `<script>` bundle is ES5 in syntax and in the built-ins it needs, it runs in a real ES5.1 engine
 * (duktape, when installed), and both the modern entry and the legacy bundle fit their size
 * budgets (min+gzip).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { transform } from 'esbuild'
import { describe, expect, test } from 'vitest'
import { sizes } from './support/sizes.mjs'

const dist = (name: string) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url))
/** Both tiers' `<script>` bundles, as shipped and unminified. */
const legacyFiles = ['eventsource.legacy', 'eventsource.standard.legacy'].flatMap((name) => [
  dist(`${name}.js`),
  dist(`${name}.min.js`),
])

/**
 * Built-ins newer than ES5 that `es-check --checkFeatures` finds in the legacy bundle, each with
 * why it is safe there. The list must be exact (see the test below): a stale entry would hide a
 * real use added later.
 */
const allowedFeatures: Record<string, string> = {
  Map: 'Babel helper `_wrapNativeSuper` only: `typeof Map === "function" ? new Map() : void 0`, a cache it does without.',
  Reflect:
    'Babel helpers `_isNativeReflectConstruct` (inside try/catch), `_callSuper` and `_construct`: `Reflect.construct` only where it exists, else `apply`/`bind`.',
  Set: 'src uses `new Set()` with add/has/delete/forEach/size only, all in IE 11; no iterable constructor argument and no iteration (IE 11 lacks those). The duktape run below passes a Set with just these members.',
  ArrayPrototypeIncludes:
    'es-check reports any `.includes(` call under this name; String.prototype.includes (eventsource-parser) and Array.prototype.includes are both shimmed in the prelude (rollup.config.mjs).',
  Promise:
    'A platform requirement, not a shim: every ES5 browser but IE 11 has Promise, and IE 11 needs a Promise polyfill loaded first (documented). The XMLHttpRequest path itself needs none (the duktape run has no Promise); async hooks, `events()` and the fetch transport do.',
  PromiseResolve: 'Same as Promise: `Promise.resolve` in the async helpers and `events()`.',
  Uint8Array:
    'A platform requirement, as in IE 10 and 11 (typed arrays): the XMLHttpRequest transport hands the bytes it reads (x-user-defined) to the event stream as a Uint8Array, and the fetch path reads them so. Duktape has it too.',
}

function requireBuilt(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run build\` (tsup && rollup -c) first.`)
    }
  }
}

function esCheck(args: readonly string[]): { status: number | null; output: string } {
  // es-check exports no entry point for this: its CLI file, as its package.json `bin` names it.
  const cli = fileURLToPath(new URL('../node_modules/es-check/lib/cli/index.js', import.meta.url))
  const run = spawnSync(process.execPath, [cli, 'es5', ...legacyFiles, '--noColor', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` }
}

const gzipSize = (code: string) => gzipSync(code, { level: 9 }).length
// The budgets count files as shipped, licence comments included; this is for the printout.
const withoutLicence = (code: string) => code.replace(/\/\*![\s\S]*?\*\/\n?/g, '')

describe('legacy bundle: ES5', () => {
  test('es-check es5 --checkFeatures passes, ignoring only the justified features', () => {
    requireBuilt(legacyFiles)
    const { status, output } = esCheck([
      '--checkFeatures',
      `--ignore=${Object.keys(allowedFeatures).join(',')}`,
    ])
    expect(status, output).toBe(0)
  })

  test('the ignore list is exact: every entry is still found', () => {
    requireBuilt(legacyFiles)
    const { status, output } = esCheck(['--checkFeatures'])
    // es-check's exit status when it finds unsupported features.
    expect(status, output).toBe(1)
    const found = new Set<string>()
    for (const match of output.matchAll(/Unsupported features detected: ([^.]+)\./g)) {
      for (const name of (match[1] ?? '').split(',')) found.add(name.trim())
    }
    expect([...found].sort(), output).toEqual(Object.keys(allowedFeatures).sort())
  })

  test('acorn parses both files as ECMAScript 5', async (context) => {
    requireBuilt(legacyFiles)
    let acorn: typeof import('acorn')
    try {
      acorn = await import('acorn')
    } catch {
      // acorn comes in as a dependency of other tools, not as ours.
      context.skip('acorn is not importable here; es-check above already checks the syntax')
    }
    for (const file of legacyFiles) {
      expect(() =>
        acorn.parse(readFileSync(file, 'utf8'), { ecmaVersion: 5, sourceType: 'script' }),
      ).not.toThrow()
    }
  })
})

describe('size budgets (min+gzip)', () => {
  test("the share option's code (dist/share.js) is loaded on demand only", () => {
    requireBuilt([dist('index.js'), dist('share.js')])
    // The full tier's entry reaches it through import() alone: a page that never sets `share`
    // never loads it.
    const entry = readFileSync(dist('index.js'), 'utf8')
    expect(entry.match(/\bimport\b[^;]*share\.js/g)).toEqual(["import('./share.js"])
    // It imports nothing: what it took from the entry at run time would move into a chunk that
    // the entry loads too.
    expect(readFileSync(dist('share.js'), 'utf8').match(/^\s*import\b/gm)).toBe(null)
  })

  for (const { name, file, minify, budget } of sizes) {
    test(`${name} (dist/${file}${minify ? ', esbuild --minify' : ''}) ≤ ${budget} B`, async () => {
      requireBuilt([dist(file)])
      let code = readFileSync(dist(file), 'utf8')
      if (minify) ({ code } = await transform(code, { minify, format: 'esm', target: 'es2022' }))
      const size = gzipSize(code)
      console.log(
        `size: ${name}, dist/${file}: ${code.length} B minified, ${size} B min+gzip (budget ${budget} B, ${budget - size} B left); without the licence comment ${gzipSize(withoutLicence(code))} B`,
      )
      expect(size, `min+gzip ${size} B over the ${budget} B budget`).toBeLessThanOrEqual(budget)
    })
  }
})

/** duktape on PATH, or undefined. */
function findDuk(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'duk')
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  return undefined
}

// duktape 2.7 is an ES5.1 engine with no Promise, Map, Set, timers, EventTarget, Event, URL,
// TextDecoder, fetch or XMLHttpRequest. The harness gives it only what IE 11 has of those: timers
// (on a virtual clock), a basic Set, a document whose anchors resolve URLs, and an
// XMLHttpRequest that replays scripted streams in awkward chunks.
const dukPrelude = String.raw`
var self = this;
var clock = 0, timers = [], nextTimer = 1;
function setTimeout(fn, ms) { var id = nextTimer++; timers.push({ id: id, fn: fn, at: clock + (ms || 0) }); return id; }
function clearTimeout(id) { for (var i = 0; i < timers.length; i++) if (timers[i].id === id) { timers.splice(i, 1); return; } }
function runTimers(limit) {
  for (var n = 0; n < limit && timers.length > 0; n++) {
    timers.sort(function (a, b) { return a.at - b.at || a.id - b.id; });
    var timer = timers.shift(); clock = Math.max(clock, timer.at); timer.fn();
  }
}
function Set() { this.items = []; this.size = 0; }
Set.prototype.add = function (v) { if (!this.has(v)) { this.items.push(v); this.size++; } return this; };
Set.prototype.has = function (v) { for (var i = 0; i < this.items.length; i++) if (this.items[i] === v) return true; return false; };
Set.prototype['delete'] = function (v) { for (var i = 0; i < this.items.length; i++) if (this.items[i] === v) { this.items.splice(i, 1); this.size--; return true; } return false; };
Set.prototype.forEach = function (fn) { var copy = this.items.slice(); for (var i = 0; i < copy.length; i++) fn(copy[i], copy[i], this); };
var document = {
  baseURI: 'http://127.0.0.1:8000/page.html',
  visibilityState: 'visible',
  addEventListener: function () {}, removeEventListener: function () {},
  createElement: function () {
    var anchor = { protocol: '', host: '' }, href = '';
    Object.defineProperty(anchor, 'href', {
      get: function () { return href; },
      set: function (value) {
        href = /^\//.test(value) ? 'http://127.0.0.1:8000' + value : value;
        var match = /^([a-z]+:)\/\/([^\/]*)/.exec(href);
        anchor.protocol = match ? match[1] : ':'; anchor.host = match ? match[2] : '';
      }
    });
    return anchor;
  }
};
var scripts = [
  [200, 'text/event-stream', '\uFEFFretry: 10\nid: 7\nda', 'ta: he', 'llo\r', '\n\r\n: comment\nevent: tick\ndata: a\ndata: b\n\n', 'id: bad\u0000\ndata: \u00e9\u20ac\r\n\r\ndata: cut'],
  [200, 'text/event-stream; charset=utf-8', 'data: again\n\n']
];
var requests = [];
function XMLHttpRequest() { this.readyState = 0; this.status = 0; this.responseText = ''; this.headers = {}; this.aborted = false; }
XMLHttpRequest.prototype.open = function (method, url) { this.method = method; this.url = url; this.readyState = 1; };
XMLHttpRequest.prototype.setRequestHeader = function (name, value) { this.headers[name.toLowerCase()] = value; };
// The transport asks for the bytes (x-user-defined: byte b >= 0x80 is U+F700 + b), as browsers give them.
XMLHttpRequest.prototype.overrideMimeType = function (mime) { this.binary = /x-user-defined/.test(mime); };
function userDefined(text) {
  var bytes = unescape(encodeURIComponent(text)), out = '';
  for (var i = 0; i < bytes.length; i++) { var b = bytes.charCodeAt(i); out += String.fromCharCode(b < 0x80 ? b : 0xf700 + b); }
  return out;
}
XMLHttpRequest.prototype.getResponseHeader = function (name) { return name.toLowerCase() === 'content-type' ? this.contentType : null; };
XMLHttpRequest.prototype.abort = function () { this.aborted = true; };
XMLHttpRequest.prototype.send = function () {
  var xhr = this, script = scripts[requests.length];
  requests.push({ url: this.url, accept: this.headers.accept, cacheControl: this.headers['cache-control'] || null, lastEventId: this.headers['last-event-id'] || null });
  if (!script) return;
  function step(i) {
    if (xhr.aborted) return;
    if (i === 0) { xhr.status = script[0]; xhr.contentType = script[1]; xhr.readyState = 2; }
    else if (i < script.length - 1) { xhr.responseText += xhr.binary ? userDefined(script[i + 1]) : script[i + 1]; xhr.readyState = 3; }
    else xhr.readyState = 4;
    if (xhr.onreadystatechange) xhr.onreadystatechange();
    if (i < script.length - 1) setTimeout(function () { step(i + 1); }, 5);
  }
  setTimeout(function () { step(0); }, 5);
};
`

const dukRun = `
var source = new self.EventSource('/events');
var trace = [];
source.onopen = function () { trace.push('open:' + source.readyState); };
source.onerror = function () { trace.push('error:' + source.readyState); };
source.onmessage = function (e) {
  trace.push('message:' + e.data + '|' + e.lastEventId + '|' + e.origin);
  if (e.data === 'again') source.close();
};
source.addEventListener('tick', function (e) { trace.push('tick:' + e.data + '|' + e.lastEventId); });
runTimers(1000);
print(JSON.stringify({
  installed: self.EventSource === self.IsomorphicEventSource,
  url: source.url, readyState: source.readyState, trace: trace, requests: requests, timersLeft: timers.length
}));
`

describe.each(['eventsource.legacy.min.js', 'eventsource.standard.legacy.min.js'])(
  '%s in duktape (ES5.1 engine)',
  (file) => {
    test('the XMLHttpRequest path parses a chunked stream and reconnects with Last-Event-ID', (context) => {
      const duk = findDuk()
      if (duk === undefined) {
        const reason = 'duk (duktape) is not installed: apt-get install -y duktape'
        // CI installs every engine and sets REQUIRE_ALL_ENGINES=1: nothing may skip silently there.
        if (process.env['REQUIRE_ALL_ENGINES'] === '1')
          throw new Error(`REQUIRE_ALL_ENGINES=1 but ${reason}`)
        console.log(`[bundle] duktape check skipped: ${reason}`)
        context.skip(reason)
      }
      requireBuilt(legacyFiles)
      const dir = mkdtempSync(join(tmpdir(), 'legacy-duk-'))
      try {
        const script = join(dir, 'run.js')
        writeFileSync(script, `${dukPrelude}\n${readFileSync(dist(file), 'utf8')}\n${dukRun}`)
        const run = spawnSync(duk as string, [script], { encoding: 'utf8', timeout: 20_000 })
        expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
        const origin = 'http://127.0.0.1:8000'
        expect(JSON.parse(run.stdout)).toEqual({
          installed: true,
          url: `${origin}/events`,
          readyState: 2,
          trace: [
            'open:1',
            `message:hello|7|${origin}`,
            'tick:a\nb|7',
            // The id with NUL is ignored; the unterminated last block is dropped at the end.
            `message:é€|7|${origin}`,
            'error:0',
            'open:1',
            `message:again|7|${origin}`,
          ],
          requests: [
            // No author Cache-Control, even same-origin (see xhr.ts).
            {
              url: `${origin}/events`,
              accept: 'text/event-stream',
              cacheControl: null,
              lastEventId: null,
            },
            {
              url: `${origin}/events`,
              accept: 'text/event-stream',
              cacheControl: null,
              lastEventId: '7',
            },
          ],
          timersLeft: 0,
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
)
