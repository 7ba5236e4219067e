/** See mangle.mjs. */
export declare const internalProperties: RegExp
