import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

test('the npm start demo streams, survives the dropped connection, resumes by Last-Event-ID and exits', async () => {
  const demo = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url))
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [demo], { timeout: 20_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    )
  })
  const ticks = [...output.matchAll(/tick id=(\d+)/g)].map((match) => Number(match[1]))
  expect(ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  expect(output).toContain('connection lost, reconnecting')
  expect(output).toContain('client resumes with Last-Event-ID: 3')
  expect(output).toContain('server says done; closed')
})
