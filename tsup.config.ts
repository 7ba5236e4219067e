import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

// eventsource-parser is bundled (it is ESM-only and declares Node >= 22.12, yet runs on 20):
// its MIT notice travels with the code.
const parserLicense = readFileSync(
  new URL('./node_modules/eventsource-parser/LICENSE', import.meta.url),
  'utf8',
)
const banner = `/*! isomorphic-eventsource | MIT License. Bundles eventsource-parser:\n${parserLicense.trim()}\n*/`

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  noExternal: ['eventsource-parser'],
  banner: { js: banner },
  splitting: false,
  treeshake: true,
})
