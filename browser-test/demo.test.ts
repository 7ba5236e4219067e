import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
// @ts-expect-error: the demo server is plain JavaScript (it runs without a build step)
import { startDemoServer } from '../examples/demo/server.mjs'
import { launchChromium } from './chromium.js'

let browser: Browser
let demo: { origin: string; pageFeeds(): number; close(): Promise<void> }
beforeAll(async () => {
  demo = await startDemoServer({ tickMs: 100 })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

test('the demo page shows the live feed, survives a dropped connection and streams a POSTed answer', async () => {
  const page = await browser.newPage()
  await page.goto(`${demo.origin}/`)
  await page.waitForFunction(() => document.querySelectorAll('#feed div').length >= 3, null, {
    timeout: 10_000,
  })
  expect(await page.textContent('#state')).toBe('OPEN')

  await page.click('#drop')
  await page.waitForFunction(
    () => document.getElementById('feed')?.textContent?.includes('resumed with Last-Event-ID'),
    null,
    {
      timeout: 10_000,
    },
  )
  const feed = (await page.textContent('#feed')) ?? ''
  expect(feed).toContain('connection lost')

  await page.click('#ask button')
  await page.waitForFunction(
    () => document.getElementById('answer')?.dataset['done'] === 'true',
    null,
    { timeout: 15_000 },
  )
  expect(await page.textContent('#answer')).toMatch(
    /^Server-sent events stream text over plain HTTP\./,
  )
  await page.close()
})

test('the demo page in three tabs holds one feed connection, and shows it', async () => {
  const context = await browser.newContext()
  try {
    const tabs = []
    for (let i = 0; i < 3; i++) {
      const tab = await context.newPage()
      await tab.goto(`${demo.origin}/`)
      tabs.push(tab)
    }
    for (const tab of tabs) {
      await tab.waitForFunction(
        () => document.getElementById('connections')?.textContent === '1',
        null,
        { timeout: 10_000 },
      )
      expect(await tab.textContent('#state')).toBe('OPEN')
    }
    expect(demo.pageFeeds()).toBe(1)
  } finally {
    await context.close()
  }
})

test('the old-browser example runs the ES5 bundle where fetch, streams and EventSource are gone', async () => {
  const page = await browser.newPage()
  await page.goto(`${demo.origin}/old-browser?old=1`)
  await page.waitForFunction(() => document.querySelectorAll('#events li').length >= 2, null, {
    timeout: 10_000,
  })
  expect(await page.textContent('#which')).toBe('ours (polyfilled)')
  expect(await page.evaluate(() => typeof (window as { fetch?: unknown }).fetch)).toBe('undefined')
  expect(await page.textContent('#events li')).toMatch(/^tick \d+: \{"n":\d+/)
  await page.close()
})
