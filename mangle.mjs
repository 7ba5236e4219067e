// Property names internal to the bundles, shortened by the minifiers: esbuild's `mangleProps`
// (tsup.config.ts) and terser's `mangle.properties` (rollup.config.mjs). They are the
// connection's protected steps and fields (src/core/connection.ts), shared with its subclass
// (extended-connection.ts), which `#private` names cannot be. Every property so named, in any
// object of a bundle, is renamed: only names nothing else uses belong here, never a public one.
export const internalProperties =
  /^(?:streamUrl|connectionOptions|reconnectTimer|sendRequest|announceTheConnection|attemptFailed|decideAfterFailure|reestablishTheConnection|failTheConnection|stopAttempt|timedOut)$/
