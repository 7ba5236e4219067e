/** Chromium over CDP (playwright-core), the system build: `/usr/bin/chromium` or `CHROMIUM_PATH`. */
import { existsSync } from 'node:fs'
import { chromiumPath, launchChromium } from '../chromium.js'
import type { Engine, EngineSession } from './types.js'

export const chromium: Engine = {
  name: 'chromium',
  async available() {
    return existsSync(chromiumPath)
      ? undefined
      : `Chromium not found at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`
  },
  async launch(): Promise<EngineSession> {
    const browser = await launchChromium()
    const page = await browser.newPage()
    let closed = false
    return {
      version: `Chromium ${browser.version()}`,
      async goto(url) {
        await page.goto(url, { waitUntil: 'load' })
      },
      evaluate: (expression) => page.evaluate(expression) as Promise<string>,
      async close() {
        if (closed) return
        closed = true
        await browser.close()
      },
    }
  },
}
