import { readFileSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'
import { internalProperties } from './mangle.mjs'

// eventsource-parser is bundled (it is ESM-only and declares Node >= 22.12, yet runs on 20).
// Its full MIT notice is in LICENSE, which ships with the package; each file names it, briefly,
// since the notice would otherwise be a large part of the gzipped browser entry.
const parserPackage = JSON.parse(
  readFileSync(new URL('./node_modules/eventsource-parser/package.json', import.meta.url), 'utf8'),
) as { version: string }
const banner = `/*! isomorphic-eventsource | MIT License | includes eventsource-parser ${parserPackage.version} (MIT License, Copyright (c) Espen Hovlandsdal): see LICENSE */`

const common: Options = {
  format: ['esm', 'cjs'],
  target: 'es2022',
  noExternal: ['eventsource-parser'],
  banner: { js: banner },
  splitting: false,
  treeshake: true,
  // The connection's protected members get short names (see mangle.mjs).
  esbuildOptions(options) {
    options.mangleProps = internalProperties
  },
}

export default defineConfig([
  {
    ...common,
    // `standard`: the W3C-only tier (src/standard.ts), the modern platform everywhere.
    entry: {
      index: 'src/index.ts',
      polyfill: 'src/entries/polyfill.ts',
      standard: 'src/standard.ts',
    },
    // Neutral: no `node` or `browser` condition, so `#platform` is the modern platform.
    platform: 'neutral',
    // The polyfill imports the package by name: one shared class, no second copy.
    external: ['isomorphic-eventsource'],
    dts: true,
    clean: true,
  },
  {
    ...common,
    entry: { node: 'src/index.ts' },
    // The `node` condition picks the Node platform for `#platform` (package.json `imports`):
    // node:http and undici, its own event dispatch, Buffer's UTF-8 decoder.
    platform: 'node',
    external: ['undici'],
  },
  {
    // The CLI uses the package by name (the Node build), so it ships no second copy.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    external: ['isomorphic-eventsource'],
    splitting: false,
  },
])
