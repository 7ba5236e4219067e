/**
 * Sets `globalThis.EventSource` to `Class`: only where none exists, unless `force` is set.
 * Returns whether it did. Shared by `install()` and the `<script>` entries of both tiers.
 * @internal
 */
export function installGlobal(Class: object, force = false): boolean {
  const scope = globalThis as { EventSource?: unknown }
  if (!force && typeof scope.EventSource === 'function') return false
  scope.EventSource = Class
  return true
}
