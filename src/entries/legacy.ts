/**
 * The `<script>` bundle's entry (rollup, ES5; see rollup.config.mjs): exposes the class as
 * `window.IsomorphicEventSource` and installs it as `window.EventSource` where there is none.
 */
import { EventSource } from '../event-source.js'
import { install } from './install.js'

;(globalThis as { IsomorphicEventSource?: unknown }).IsomorphicEventSource = EventSource
install()
