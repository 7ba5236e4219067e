/**
 * Browser page signals the opt-in options react to: visibility (`pauseWhenHidden`) and coming
 * back online (`reconnectWhenOnline`). Where there is no document or no global event target
 * (Node, workers without those events), watching is a no-op.
 */

/** What the connection does on each signal. @internal */
export interface PageSignals {
  /** The page was hidden (`pauseWhenHidden`). */
  hidden(): void
  /** The page shows again (`pauseWhenHidden`). */
  visible(): void
  /** The browser is back online (`reconnectWhenOnline`). */
  online(): void
}

type Target = Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>

interface PageScope extends Target {
  readonly document?: Target & { readonly visibilityState?: string }
}

/**
 * Starts watching what the options ask for (nothing when neither is set); returns the function
 * that stops (every listener it added is removed, so a closed source leaves nothing behind).
 * @internal
 */
export function watchPage(
  options: { readonly pauseWhenHidden: boolean; readonly reconnectWhenOnline: boolean },
  signals: PageSignals,
): (() => void) | undefined {
  if (!options.pauseWhenHidden && !options.reconnectWhenOnline) return undefined
  const scope = globalThis as PageScope
  const listeners: Array<[Target | undefined, string, () => void]> = []
  if (options.pauseWhenHidden) {
    listeners.push([
      scope.document,
      'visibilitychange',
      () => (pageIsHidden() ? signals.hidden() : signals.visible()),
    ])
  }
  if (options.reconnectWhenOnline) listeners.push([scope, 'online', () => signals.online()])
  const each = (method: keyof Target) => {
    for (const [target, type, listener] of listeners) target?.[method]?.(type, listener)
  }
  each('addEventListener')
  return () => each('removeEventListener')
}

/** Whether the page is hidden right now (false where there is no document). @internal */
export function pageIsHidden(): boolean {
  return (globalThis as PageScope).document?.visibilityState === 'hidden'
}
