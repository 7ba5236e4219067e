/**
 * The standard tier's `<script>` bundle entry (rollup, ES5; see rollup.config.mjs): the W3C
 * class alone, as `window.IsomorphicEventSource`, installed as `window.EventSource` where there
 * is none.
 */
import { EventSource } from '../standard-event-source.js'
import { installGlobal } from './global.js'

;(globalThis as { IsomorphicEventSource?: unknown }).IsomorphicEventSource = EventSource
installGlobal(EventSource)
