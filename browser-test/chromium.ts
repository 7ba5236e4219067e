import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** Where Chromium is looked for; `CHROMIUM_PATH` overrides. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

// No background traffic: the machines running this have no network beyond loopback.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

/**
 * Launches headless Chromium, or fails with instructions when it is not installed.
 * @param extraArgs - more command-line switches (say, `--js-flags=--expose-gc`).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it (Debian/Ubuntu: \`sudo apt-get install -y chromium\`) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    )
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...args, ...extraArgs],
  })
}
