// `npm run size`: what the bundles weigh, and where the modern entry's bytes come from.
// 1. Each module's minified bytes in the modern browser entry (src/index.ts bundled as tsup
//    bundles it, then minified; esbuild's metafile), largest first.
// 2. Both shipped files measured as test/bundle.test.ts measures them (min+gzip, zlib level 9,
//    licence comments included): dist/index.js minified by esbuild, and
//    dist/eventsource.legacy.min.js as rollup wrote it. Run `npm run build` first.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'

const gzip = (code) => gzipSync(code, { level: 9 }).length
const row = (bytes, name) => console.log(`${String(bytes).padStart(7)}  ${name}`)

const modules = await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'neutral',
  metafile: true,
  write: false,
})
const inputs = Object.values(modules.metafile.outputs)[0]?.inputs ?? {}
console.log('modern entry, minified bytes per module:')
for (const [name, { bytesInOutput }] of Object.entries(inputs).sort(
  (a, b) => b[1].bytesInOutput - a[1].bytesInOutput,
)) {
  if (bytesInOutput > 0) row(bytesInOutput, name)
}

const modern = (
  await transform(readFileSync('dist/index.js', 'utf8'), {
    minify: true,
    format: 'esm',
    target: 'es2022',
  })
).code
const legacy = readFileSync('dist/eventsource.legacy.min.js', 'utf8')
console.log('\nshipped files (bytes): minified, min+gzip')
for (const [name, code] of [
  ['dist/index.js (esbuild --minify)', modern],
  ['dist/eventsource.legacy.min.js', legacy],
]) {
  console.log(`${String(code.length).padStart(7)} ${String(gzip(code)).padStart(6)}  ${name}`)
}
