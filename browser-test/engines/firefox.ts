/**
 * Firefox over WebDriver BiDi (puppeteer-core, no geckodriver): `/usr/bin/firefox-esr` or
 * `FIREFOX_PATH`. Playwright cannot drive a stock Firefox here (see shared/browsers.md).
 */
import { existsSync } from 'node:fs'
import puppeteer from 'puppeteer-core'
import type { Engine, EngineSession, Tab } from './types.js'

export const firefoxPath = process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr'

// Nothing may leave loopback (these machines have no other network): no updates, telemetry,
// safe-browsing lists, captive-portal or connectivity probes, prefetching or remote settings.
const quietPrefs: Record<string, unknown> = {
  'app.update.auto': false,
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.shell.checkDefaultBrowser': false,
  'browser.newtabpage.enabled': false,
  'browser.startup.page': 0,
  'browser.region.network.url': '',
  'browser.search.update': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'media.gmp-manager.url': '',
  'security.OCSP.enabled': 0,
  'services.settings.server': 'http://127.0.0.1:9/',
}

export const firefox: Engine = {
  name: 'firefox',
  async available() {
    return existsSync(firefoxPath)
      ? undefined
      : `Firefox not found at ${firefoxPath}: apt-get install -y firefox-esr, or set FIREFOX_PATH`
  },
  async launch(): Promise<EngineSession> {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath,
      headless: true,
      extraPrefsFirefox: quietPrefs,
    })
    let closed = false
    try {
      const page = await browser.newPage()
      const version = await browser.version()
      return {
        version: version.replace(/^firefox\//i, 'Firefox '),
        async goto(url) {
          await page.goto(url, { waitUntil: 'load' })
        },
        evaluate: (expression) => page.evaluate(expression) as Promise<string>,
        async newTab(url): Promise<Tab> {
          const tab = await browser.newPage()
          await tab.goto(url, { waitUntil: 'load' })
          return {
            evaluate: (expression) => tab.evaluate(expression) as Promise<string>,
            async goto(next) {
              await tab.goto(next, { waitUntil: 'load' })
            },
            close: () => tab.close(),
            crash: undefined,
          }
        },
        async close() {
          if (closed) return
          closed = true
          await browser.close()
        },
      }
    } catch (error) {
      await browser.close()
      throw error
    }
  },
}
