import fc from 'fast-check'
import { expect, test } from 'vitest'
import { utf8ByteString } from '../src/core/utf8.js'

test('utf8ByteString gives the bytes TextEncoder gives, lone surrogates included', () => {
  const viaTextEncoder = (value: string) => String.fromCharCode(...new TextEncoder().encode(value))
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (value) => {
      expect(utf8ByteString(value)).toBe(viaTextEncoder(value))
    }),
    { numRuns: 2000 },
  )
  for (const value of ['é€😀', '\uD800', 'a\uDC00b', '\uDBFF\uDFFF', '']) {
    expect(utf8ByteString(value)).toBe(viaTextEncoder(value))
  }
})
