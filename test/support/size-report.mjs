// `npm run size`: what the bundles weigh, and where the modern entries' bytes come from.
// 1. Each module's share of each tier's modern entry (src/index.ts, the full tier, and
//    src/standard.ts, the W3C-only tier, bundled as tsup bundles them, then minified), largest
//    first: its minified bytes, and what the gzipped bundle would lose without them (the bytes
//    the source map attributes to it; shared context makes these sum to less than the whole).
//    The `share` option's code is not in the full tier's entry, which loads it on demand: it is
//    listed on its own (dist/share.js).
// 2. The four shipped files measured as test/bundle.test.ts measures them (min+gzip, zlib level
//    9, licence comments included), against the budgets it gates them with (sizes.mjs): the
//    modern ones minified by esbuild, the `<script>` bundles as rollup wrote them. Run
//    `npm run build` first.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'
import { internalProperties } from '../../mangle.mjs'
import { sizes } from './sizes.mjs'

const gzip = (code) => gzipSync(code, { level: 9 }).length

/** Prints each module's share of the modern bundle of each of `entries` (name → source). */
async function shares(entries) {
  const modules = await build({
    entryPoints: entries,
    bundle: true,
    // As tsup builds the full tier: what `share` loads on demand stays out of its entry.
    splitting: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    sourcemap: 'external',
    outdir: 'size-report',
    // As tsup builds the shipped files (mangle.mjs).
    mangleProps: internalProperties,
    write: false,
  })
  for (const [name, entry] of Object.entries(entries)) {
    const output = (suffix) =>
      modules.outputFiles.find((file) => file.path.endsWith(`/${name}${suffix}`)).text
    share(entry, output('.js'), JSON.parse(output('.js.map')))
  }
}

function share(entry, code, map) {
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
  console.log(`${entry}, per module: minified bytes, min+gzip bytes it adds`)
  for (const [own, share, name] of shares.sort((a, b) => b[1] - a[1])) {
    if (own > 0) console.log(`${String(own).padStart(7)} ${String(share).padStart(6)}  ${name}`)
  }
  console.log(`${String(code.length).padStart(7)} ${String(total).padStart(6)}  (all)\n`)
}

await shares({ index: 'src/index.ts', share: 'src/share/shared-connection.ts' })
await shares({ standard: 'src/standard.ts' })

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

console.log('shipped files (bytes): minified, min+gzip, budget, left')
for (const { file, minify, budget } of sizes) {
  let code = readFileSync(`dist/${file}`, 'utf8')
  if (minify) ({ code } = await transform(code, { minify, format: 'esm', target: 'es2022' }))
  const size = gzip(code)
  const cells = [code.length, size, budget, budget - size].map((n) => String(n).padStart(7))
  console.log(`${cells.join('')}  dist/${file}${minify ? ' (esbuild --minify)' : ''}`)
}
