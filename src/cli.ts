#!/usr/bin/env node
/**
 * The command-line tool (`npx isomorphic-eventsource URL`), built only on the public API.
 * Placeholder until the CLI lands: prints usage.
 */
import { EventSource } from 'isomorphic-eventsource'

process.stdout.write(`isomorphic-eventsource CLI (EventSource ${EventSource.isomorphic ? 'ready' : ''})\n`)
