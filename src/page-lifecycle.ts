/**
 * Browser page signals the opt-in options react to: visibility (`pauseWhenHidden`) and coming
 * back online (`reconnectWhenOnline`). Where there is no document or no global event target
 * (Node, workers without those events), watching is a no-op.
 */

/** @internal */
export interface PageSignals {
  hidden(): void
  visible(): void
  online(): void
}

type Target = Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>

interface PageScope extends Target {
  readonly document?: Target & { readonly visibilityState?: string }
}

/**
 * Starts watching; returns the function that stops (every listener it added is removed, so a
 * closed source leaves nothing behind).
 * @internal
 */
export function watchPage(
  signals: PageSignals,
  watch: { readonly visibility: boolean; readonly online: boolean },
): () => void {
  const scope = globalThis as PageScope
  const listeners: Array<[Target | undefined, string, () => void]> = []
  if (watch.visibility) {
    listeners.push([
      scope.document,
      'visibilitychange',
      () => (pageIsHidden() ? signals.hidden() : signals.visible()),
    ])
  }
  if (watch.online) listeners.push([scope, 'online', () => signals.online()])
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
