import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

// eventsource-parser is bundled (it is ESM-only and declares Node >= 22.12, yet runs on 20).
// Its full MIT notice is in LICENSE, which ships with the package; each file names it, briefly,
// since the notice would otherwise be a large part of the gzipped browser entry.
const parserPackage = JSON.parse(
  readFileSync(new URL('./node_modules/eventsource-parser/package.json', import.meta.url), 'utf8'),
) as { version: string }
const banner = `/*! isomorphic-eventsource | MIT License | includes eventsource-parser ${parserPackage.version} (MIT License, Copyright (c) Espen Hovlandsdal): see LICENSE */`

// The Node build swaps three modules for Node's versions: the platform (undici, proxies), the
// event classes (a cheaper message event and dispatch) and the UTF-8 decoder (Buffer's). A browser bundle never sees undici, and Node never pays
// for a runtime check.
const nodePlatform: Plugin = {
  name: 'node-platform',
  setup(build) {
    build.onResolve({ filter: /^\.\/(platform|dom|text-decoder)\.js$/ }, (args) => ({
      path: fileURLToPath(new URL(`./src/${args.path.slice(2, -3)}.node.ts`, import.meta.url)),
    }))
  },
}

const common: Options = {
  format: ['esm', 'cjs'],
  target: 'es2022',
  noExternal: ['eventsource-parser'],
  banner: { js: banner },
  splitting: false,
  treeshake: true,
}

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', polyfill: 'src/polyfill.ts' },
    platform: 'neutral',
    // The polyfill imports the package by name: one shared class, no second copy.
    external: ['isomorphic-eventsource'],
    dts: true,
    clean: true,
  },
  {
    ...common,
    entry: { node: 'src/index.ts' },
    platform: 'node',
    external: ['undici'],
    esbuildPlugins: [nodePlatform],
  },
  {
    // The CLI uses the package by name (the Node build), so it ships no second copy.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    external: ['isomorphic-eventsource'],
    splitting: false,
  },
])
