/**
 * One browser engine behind one small interface, so the same page and the same suite run under
 * CDP (Chromium, playwright-core), WebDriver BiDi (Firefox, puppeteer-core) and classic WebDriver
 * (WebKitGTK and WPE WebKit, webdriverio). Classic WebDriver has no init scripts and no awaited
 * evaluation, so pages are self-contained and results are polled (see run-suite.ts).
 */

/** A running browser with one page. */
export interface EngineSession {
  /** Name and version, as the browser reports it ("Firefox 153.0", "WPE WebKit 2.38.6", …). */
  readonly version: string
  /** Navigates the page and waits for its load event. */
  goto(url: string): Promise<void>
  /**
   * Evaluates a synchronous JavaScript expression in the page and returns its value, which must
   * be a string (callers JSON-encode in the page: every protocol transports strings the same).
   */
  evaluate(expression: string): Promise<string>
  /**
   * Opens a new tab (a page of the same browsing context as the other tabs, so that they share
   * an origin's storage, Web Locks, BroadcastChannels and connection pool) at `url`, and waits
   * for its load event. Rejects with `TabsUnsupported` where the browser has one view only.
   */
  newTab(url: string): Promise<Tab>
  /** Closes the browser and stops every process the engine started. Idempotent. */
  close(): Promise<void>
}

/** One tab of a session (see {@link EngineSession.newTab}). */
export interface Tab {
  /** As {@link EngineSession.evaluate}, in this tab. */
  evaluate(expression: string): Promise<string>
  /** Navigates this tab and waits for its load event. */
  goto(url: string): Promise<void>
  /** Closes this tab, as a user does (its document is unloaded). */
  close(): Promise<void>
  /** Crashes the tab's renderer process, where the driver can (Chromium); undefined elsewhere. */
  readonly crash: (() => Promise<void>) | undefined
}

export interface Engine {
  /** Short id used in test names and in the exception maps: chromium, firefox, webkitgtk, wpe. */
  readonly name: EngineName
  /** Undefined when the engine can run here; otherwise why not (and how to install it). */
  available(): Promise<string | undefined>
  launch(): Promise<EngineSession>
}

export type EngineName = 'chromium' | 'firefox' | 'webkitgtk' | 'wpe'
