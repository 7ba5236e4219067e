import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests import the package by name, resolved to the build, so packaging mistakes show.
const alias = {
  'isomorphic-eventsource/standard': fileURLToPath(new URL('./dist/standard.js', import.meta.url)),
  'isomorphic-eventsource': fileURLToPath(new URL('./dist/node.js', import.meta.url)),
}

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'node', include: ['test/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        // The benchmark's smoke run (no timing assertions: it proves the harness still works).
        test: { name: 'bench', include: ['bench/**/*.test.ts'], testTimeout: 180_000 },
      },
      {
        resolve: { alias },
        test: {
          name: 'browser',
          include: ['browser-test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
