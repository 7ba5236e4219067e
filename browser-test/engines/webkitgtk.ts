/**
 * WebKitGTK (current WebKit): WebKitWebDriver + MiniBrowser. MiniBrowser has no headless mode,
 * so the driver runs under `xvfb-run -a`; without a display the session request hangs.
 */
import { existsSync, readdirSync } from 'node:fs'
import type { Engine } from './types.js'
import { launchWebDriver, which } from './webdriver.js'

/** MiniBrowser from Debian's webkit2gtk-driver (multiarch path), or `MINIBROWSER_PATH`. */
function miniBrowser(): string | undefined {
  const fromEnv = process.env['MINIBROWSER_PATH']
  if (fromEnv !== undefined) return existsSync(fromEnv) ? fromEnv : undefined
  for (const dir of ['/usr/lib', '/usr/libexec']) {
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch {
      continue
    }
    for (const entry of entries) {
      for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
        const candidate = `${dir}/${entry}/${api}/MiniBrowser`
        if (existsSync(candidate)) return candidate
      }
    }
  }
  return undefined
}

const install = 'apt-get install -y webkit2gtk-driver xvfb'

export const webkitgtk: Engine = {
  name: 'webkitgtk',
  async available() {
    if (which('WebKitWebDriver') === undefined) return `WebKitWebDriver not on PATH: ${install}`
    if (which('xvfb-run') === undefined) return `xvfb-run not on PATH: ${install}`
    if (miniBrowser() === undefined) return `MiniBrowser not found: ${install}`
    return undefined
  },
  launch() {
    return launchWebDriver({
      command: ['xvfb-run', '-a', 'WebKitWebDriver'],
      driver: 'WebKitWebDriver',
      label: 'WebKitGTK',
      capabilities: {
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
      } as WebdriverIO.Capabilities,
    })
  },
}
