import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

/** Runs an example with Node and resolves with its stdout and stderr. */
function runExample(
  name: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL(`../examples/${name}`, import.meta.url))
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [file],
      { timeout: 20_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${name} failed: ${error.message}\n${stderr}`))
          : resolve({ stdout, stderr }),
    )
  })
}

describe('examples', () => {
  test('llm-stream.mjs prints the whole answer once, across a dropped connection and a token refresh', async () => {
    const { stdout, stderr } = await runExample('llm-stream.mjs')
    expect(stdout.trim()).toBe('Server-sent events are a simple, one-way stream over plain HTTP.')
    expect(stderr).toContain('[attempt 1] using token-1')
    expect(stderr).toContain('[attempt 2] using token-2')
    expect(stderr).toMatch(/reconnecting in 200 ms/)
  })

  test('feature-flags.mjs resumes after the id it stored when it runs again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'))
    try {
      const env = { FLAGS_STATE_FILE: join(dir, 'last-id') }
      const first = await runExample('feature-flags.mjs', env)
      const second = await runExample('feature-flags.mjs', env)
      const changes = (output: string) =>
        [...output.matchAll(/change (\d):/g)].map((m) => Number(m[1]))
      expect(changes(first.stdout)).toEqual([1, 2, 3])
      expect(second.stdout).toContain('resuming after change 3')
      expect(changes(second.stdout)).toEqual([4, 5, 6])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
