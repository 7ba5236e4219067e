/**
 * WPE WebKit (Debian's 2.38, a Safari 16-era WebKit): WPEWebDriver + cog, truly headless
 * (`--platform=headless`, no X server).
 */
import type { Engine } from './types.js'
import { launchWebDriver, which } from './webdriver.js'

const install = 'apt-get install -y wpewebkit-driver cog'

export const wpe: Engine = {
  name: 'wpe',
  async available() {
    if (which('WPEWebDriver') === undefined) return `WPEWebDriver not on PATH: ${install}`
    if (which('cog') === undefined) return `cog not on PATH: ${install}`
    return undefined
  },
  launch() {
    return launchWebDriver({
      command: ['WPEWebDriver'],
      driver: 'WPEWebDriver',
      label: 'WPE WebKit',
      capabilities: {
        browserName: 'cog',
        'wpe:browserOptions': {
          binary: which('cog'),
          args: ['--automation', '--platform=headless'],
        },
      } as WebdriverIO.Capabilities,
    })
  },
}
