import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBase64Strict } from '../../src/validation/check-types';

/**
 * The plain implementation the fast one must match: scan for a bad
 * character first, then the canonical last-character rule, then decode.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function plainDecode(text: string): Buffer | string {
  if (text.length % 4 !== 0) return `length ${text.length}`;
  const bad = /[^a-zA-Z0-9+/=]|=[^=]/.exec(text);
  if (bad) return `Invalid Base64 character: '${bad[0][0]}'`;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding > 0) {
    const last = ALPHABET.indexOf(text[text.length - padding - 1] ?? 'A');
    if (last < 0 || (last & (padding === 2 ? 0x0f : 0x03)) !== 0) return 'Invalid last non-pad Base64 character dectected';
  }
  return Buffer.from(text, 'base64');
}

function fastDecode(text: string): Buffer | string {
  try {
    return decodeBase64Strict(text);
  } catch (err) {
    const message = (err as Error).message;
    if (message.includes('multiple of 4')) return `length ${text.length}`;
    return message.slice(message.indexOf('Blob: ') + 'Blob: '.length);
  }
}

describe('decodeBase64Strict', () => {
  it('matches the plain scan-then-decode implementation on mixed valid and invalid text', () => {
    const chars = fc.constantFrom(...(ALPHABET + '====-_ !\n\u00e9.').split(''));
    fc.assert(fc.property(fc.array(chars, { maxLength: 24 }), (list) => {
      const text = list.join('');
      assert.deepEqual(fastDecode(text), plainDecode(text));
    }), { numRuns: 20000 });
  });

  it('matches it on canonical encodings of random bytes, and with one character replaced', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.constantFrom('-', '_', '=', ' ', '*'), (bytes, at, ch) => {
      const text = Buffer.from(bytes).toString('base64');
      assert.deepEqual(fastDecode(text), Buffer.from(bytes));
      if (text.length === 0) return;
      const i = at % text.length;
      const mutated = text.slice(0, i) + ch + text.slice(i + 1);
      assert.deepEqual(fastDecode(mutated), plainDecode(mutated));
    }), { numRuns: 20000 });
  });

  it('rejects URL-safe characters that Node would decode', () => {
    assert.equal(fastDecode('ab-_'), "Invalid Base64 character: '-'");
    assert.equal(fastDecode('ab_c'), "Invalid Base64 character: '_'");
  });
});
