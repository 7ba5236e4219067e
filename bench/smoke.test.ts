/**
 * The benchmark harness still works: `node bench/run.mjs --quick --json` runs every client in
 * every scenario and each metric comes back as a finite number, an explicit "unsupported"
 * reason, or "not measured" (the compressed and TLS measurements run for ours only). Deliberately no assertion on the figures themselves: timings on a shared CI machine are
 * not a test oracle. Needs `npm run build` first (the harness loads dist/node.js).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./run.mjs', import.meta.url))

interface MetricEntry {
  median: number | null
  unsupported?: string
  errors?: string[]
  notMeasured?: boolean
}

interface Results {
  metrics: { id: string }[]
  clients: { id: string; metrics: Record<string, MetricEntry | undefined> }[]
}

test('every client yields a number or an explicit unsupported marker for every metric', {
  timeout: 120_000,
}, async () => {
  const { stdout } = await run(process.execPath, [script, '--quick', '--json'], {
    timeout: 115_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  const results = JSON.parse(stdout) as Results
  expect(results.clients.length).toBeGreaterThan(5)
  expect(results.metrics.length).toBe(12)
  const problems: string[] = []
  for (const client of results.clients) {
    for (const { id } of results.metrics) {
      const entry = client.metrics[id]
      const ok =
        entry !== undefined &&
        (Number.isFinite(entry.median) ||
          entry.notMeasured === true ||
          (typeof entry.unsupported === 'string' && entry.unsupported !== ''))
      if (!ok) problems.push(`${client.id} ${id}: ${JSON.stringify(entry)}`)
    }
  }
  expect(problems).toEqual([])
})
