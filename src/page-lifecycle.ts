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

interface PageScope {
  readonly document?: EventTarget & { readonly visibilityState?: string }
  readonly addEventListener?: EventTarget['addEventListener']
  readonly removeEventListener?: EventTarget['removeEventListener']
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
  const stops: Array<() => void> = []
  const document = scope.document
  if (
    watch.visibility &&
    document !== undefined &&
    typeof document.addEventListener === 'function'
  ) {
    const onVisibilityChange = (): void => {
      if (document.visibilityState === 'hidden') signals.hidden()
      else signals.visible()
    }
    document.addEventListener('visibilitychange', onVisibilityChange)
    stops.push(() => document.removeEventListener('visibilitychange', onVisibilityChange))
  }
  if (watch.online && typeof scope.addEventListener === 'function') {
    const onOnline = (): void => signals.online()
    scope.addEventListener('online', onOnline)
    stops.push(() => scope.removeEventListener?.('online', onOnline))
  }
  return () => {
    for (const stop of stops.splice(0)) stop()
  }
}

/** Whether the page is hidden right now (false where there is no document). @internal */
export function pageIsHidden(): boolean {
  return (globalThis as PageScope).document?.visibilityState === 'hidden'
}
