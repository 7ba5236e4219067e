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

// The browser builds. Neutral: no `node` or `browser` condition, so `#platform` is the modern
// platform. The polyfill imports the package by name: one shared class, no second copy.
const neutral: Options = { ...common, platform: 'neutral', external: ['isomorphic-eventsource'] }
const full = { index: 'src/index.ts', polyfill: 'src/entries/polyfill.ts' }
// `standard`: the W3C-only tier (src/standard.ts), the modern platform everywhere.
const standard = { standard: 'src/standard.ts' }

export default defineConfig([
  {
    ...neutral,
    format: ['esm'],
    // The `share` option's code is an entry of its own, dist/share.js, which dist/index.js
    // imports on demand (`import()` in src/share/on-demand.ts): pages that never set `share`
    // never load it, and the size budget of dist/index.js is measured without it. Splitting is
    // for this build only: with the W3C-only tier in it, the modules both tiers use would move
    // into a chunk of their own.
    entry: { ...full, share: 'src/share/shared-connection.ts' },
    splitting: true,
    clean: true,
  },
  { ...neutral, format: ['esm'], entry: standard },
  // The declarations of both tiers from one build, so that they share their types.
  { ...neutral, format: ['esm'], entry: { ...full, ...standard }, dts: { only: true } },
  // CommonJS loads no chunk on demand: there the sharing code stays inline.
  { ...neutral, format: ['cjs'], entry: { ...full, ...standard }, dts: true },
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
