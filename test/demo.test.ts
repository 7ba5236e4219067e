import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

test('npm start’s demo streams the feed with the CLI, survives the drop, resumes by Last-Event-ID and exits', async () => {
  const demo = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url))
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
    (resolve, reject) => {
      execFile(
        process.execPath,
        [demo, '--serve-seconds', '0'],
        { timeout: 30_000 },
        (error, out, err) =>
          error
            ? reject(new Error(`${error.message}\n${err}`))
            : resolve({ stdout: out, stderr: err }),
      )
    },
  )
  const ticks = [...stdout.matchAll(/^tick id=(\d+)/gm)].map((match) => Number(match[1]))
  expect(ticks.length).toBeGreaterThanOrEqual(10)
  // Every tick once and in order, across the dropped connection.
  expect(ticks).toEqual(ticks.map((_, i) => (ticks[0] ?? 0) + i))
  expect(stdout).toMatch(/^hello id=\d+ {2}\{"resumedAfter":"\d+"\}$/m)
  expect(stderr).toContain('server drops every connection')
  expect(stderr).toMatch(/reconnecting in 1000 ms/)
  expect(stderr).toContain('the terminal part is done')
})
