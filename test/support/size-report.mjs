// `npm run size`: what the bundles weigh, and where the modern entry's bytes come from.
// 1. Each module's share of the modern browser entry (src/index.ts bundled as tsup bundles it,
//    then minified), largest first: its minified bytes, and what the gzipped bundle would lose
//    without them (the bytes the source map attributes to it; shared context makes these sum to
//    less than the whole). The code of the `share` option is not part of it: the entry loads it
//    on demand (dist/share.js), and it is listed after, on its own.
// 2. The shipped files measured as test/bundle.test.ts measures them (min+gzip, zlib level 9,
//    licence comments included): dist/index.js and dist/share.js minified by esbuild, and
//    dist/eventsource.legacy.min.js as rollup wrote it. Run `npm run build` first.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'

const gzip = (code) => gzipSync(code, { level: 9 }).length

// As tsup builds dist/: the share entry beside the main one, split, so each is measured alone.
const modules = await build({
  entryPoints: { 'size-report': 'src/index.ts', share: 'src/share/shared-connection.ts' },
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'neutral',
  sourcemap: 'external',
  outdir: 'size-report',
  write: false,
})
const output = (suffix) => modules.outputFiles.find((file) => file.path.endsWith(suffix)).text
for (const [title, name] of [
  ['modern entry', 'size-report.js'],
  ['the `share` option, loaded on demand (dist/share.js)', 'share.js'],
]) {
  const code = output(name)
  const map = JSON.parse(output(`${name}.map`))
  const owners = ownerOfEachByte(code, map)
  const total = gzip(code)
  const shares = map.sources.map((source, index) => {
    let own = 0
    let rest = ''
    for (let i = 0; i < code.length; i++) {
      if (owners[i] === index) own++
      else rest += code[i]
    }
    return [own, total - gzip(rest), source.replace(/^(\.\.\/)+/, '')]
  })
  console.log(`${title}, per module: minified bytes, min+gzip bytes it adds`)
  for (const [own, share, name] of shares.sort((a, b) => b[1] - a[1])) {
    if (own > 0) console.log(`${String(own).padStart(7)} ${String(share).padStart(6)}  ${name}`)
  }
  console.log(`${String(code.length).padStart(7)} ${String(total).padStart(6)}  (all)\n`)
}

/** The source index of every byte of `code`, from the source map's mappings. */
function ownerOfEachByte(code, map) {
  const owners = new Int16Array(code.length).fill(-1)
  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let offset = 0
  let source = 0
  let previous = { at: 0, source: -1 }
  const lines = code.split('\n')
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0
    for (const segment of line.split(',').filter(Boolean)) {
      const fields = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = BASE64.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      column += fields[0]
      if (fields.length > 1) source += fields[1]
      const at = offset + column
      owners.fill(previous.source, previous.at, at)
      previous = { at, source: fields.length > 1 ? source : -1 }
    }
    offset += (lines[lineIndex] ?? '').length + 1
  })
  owners.fill(previous.source, previous.at)
  return owners
}

const minified = async (file) =>
  (await transform(readFileSync(file, 'utf8'), { minify: true, format: 'esm', target: 'es2022' }))
    .code
const legacy = readFileSync('dist/eventsource.legacy.min.js', 'utf8')
console.log('shipped files (bytes): minified, min+gzip')
for (const [name, code] of [
  ['dist/index.js (esbuild --minify)', await minified('dist/index.js')],
  [
    'dist/share.js (esbuild --minify; loaded on demand by `share`)',
    await minified('dist/share.js'),
  ],
  ['dist/eventsource.legacy.min.js', legacy],
]) {
  console.log(`${String(code.length).padStart(7)} ${String(gzip(code)).padStart(6)}  ${name}`)
}
