/** Chromium over CDP (playwright-core), the system build: `/usr/bin/chromium` or `CHROMIUM_PATH`. */
import { existsSync } from 'node:fs'
import type { BrowserContext } from 'playwright-core'
import { chromiumPath, launchChromium } from '../chromium.js'
import type { Engine, EngineSession, Tab } from './types.js'

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
    // Tabs share one context: `browser.newPage()` gives every page a context of its own.
    let tabs: BrowserContext | undefined
    let closed = false
    return {
      version: `Chromium ${browser.version()}`,
      async goto(url) {
        await page.goto(url, { waitUntil: 'load' })
      },
      evaluate: (expression) => page.evaluate(expression) as Promise<string>,
      async newTab(url): Promise<Tab> {
        tabs ??= await browser.newContext()
        const context = tabs
        const tab = await context.newPage()
        await tab.goto(url, { waitUntil: 'load' })
        return {
          evaluate: (expression) => tab.evaluate(expression) as Promise<string>,
          async goto(next) {
            await tab.goto(next, { waitUntil: 'load' })
          },
          close: () => tab.close(),
          async crash() {
            const session = await context.newCDPSession(tab)
            // The reply never comes: the renderer is gone.
            void session.send('Page.crash').catch(() => {})
            await tab.waitForEvent('crash', { timeout: 10_000 })
          },
        }
      },
      async close() {
        if (closed) return
        closed = true
        await browser.close()
      },
    }
  },
}
