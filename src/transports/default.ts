import { fetchTransport } from './fetch.js'

/** The transport used unless the caller chooses one. @internal */
export const defaultTransport = fetchTransport
