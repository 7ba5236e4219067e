/** Every engine, in the order the suites run them (one at a time: these machines have 2 cores). */
import { chromium } from './chromium.js'
import { firefox } from './firefox.js'
import type { Engine } from './types.js'
import { webkitgtk } from './webkitgtk.js'
import { wpe } from './wpe.js'

export type { Engine, EngineName, EngineSession, Tab } from './types.js'
export const engines: readonly Engine[] = [chromium, firefox, webkitgtk, wpe]
export { TabsUnsupported } from './webdriver.js'
