/**
 * The bytes parser gives JSON.parse's value whenever it gives one, and
 * leaves to JSON.parse everything it does not take: invalid text, members
 * named "__proto__", deep nesting. So the JSON codec's decode is always
 * JSON.parse's answer, value or error.
 */
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { NOT_PARSED, nextSpecialByte, parseJsonBytes } from '../../src/protocol/json-bytes-parse';
import { jsonCodec } from '../../src/protocol/json-codec';

/** JSON.parse of the bytes as the codec reads them, or the error it throws. */
function reference(bytes: Buffer): { value: unknown } | { error: unknown } {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (error) {
    return { error };
  }
}

/** The bytes parser agrees with JSON.parse: the same value, or NOT_PARSED (always when JSON.parse throws). */
function expectAgrees(bytes: Buffer): void {
  const got = parseJsonBytes(bytes, isAscii(bytes));
  const want = reference(bytes);
  if ('error' in want) assert.equal(got, NOT_PARSED, `accepted what JSON.parse refuses: ${bytes.toString('utf8').slice(0, 200)}`);
  else if (got !== NOT_PARSED) assert.deepStrictEqual(got, want.value);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseJsonBytes', () => {
  it('parses a PutRecords body as JSON.parse does', () => {
    const body = {
      StreamName: 'orders', StreamARN: undefined,
      Records: Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.alloc(1024, i).toString('base64'), PartitionKey: `pk-${i}`, ExplicitHashKey: i % 7 === 0 ? String(2n ** 127n + BigInt(i)) : undefined })),
    };
    const bytes = text(JSON.stringify(body));
    assert.deepStrictEqual(parseJsonBytes(bytes, true), JSON.parse(bytes.toString('latin1')));
  });

  it('decodes escapes, non-ASCII text, numbers and literals', () => {
    const samples = [
      '{"a":"quote \\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t end"}',
      '{"u":"\\u00e9\\u6f22\\ud83d\\ude42 lone \\ud800 x","k\\"ey":1}',
      '{"é":"漢字🙂","ключ":["значение",{"x":"é\\n"}]}',
      ' [ 0 , -0 , 1.5 , -2e10 , 3E-2 , 1e400 , 123456789012345678901234567890 , true , false , null ] ',
      '"just a string"', '42', 'null', '{}', '[]', '{"a":{},"b":[],"c":[[]]}',
      '{"dup":1,"x":2,"dup":3}', '{"1":"a","0":"b","z":"c"}',
      '"DEL \u007f and space are plain text"', `{"Data":"${Buffer.alloc(1024, 7).toString('base64')}"}`,
    ];
    for (const s of samples) {
      const got = parseJsonBytes(text(s), isAscii(text(s)));
      assert.notEqual(got, NOT_PARSED, s);
      assert.deepStrictEqual(got, JSON.parse(s), s);
    }
  });

  it('leaves to JSON.parse what it must not or need not take', () => {
    const refused = [
      '', ' ', '{', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', "{'a':1}", '[01]', '[1.]', '[.5]', '[-]', '[1e]', '[+1]', '[0x10]',
      '[NaN]', '[Infinity]', '[tru]', '[nul]', '"unterminated', '"bad \\x escape"', '"bad \\u12g4"', '"tab\there"', '"nl\nhere"', '"nul\u0000here"', '"us\u001fhere"',
      '{"a":1} x', '[1] [2]', '\ufeff{}', '{"__proto__":{"polluted":true}}',
      `${'['.repeat(100)}${']'.repeat(100)}`,
    ];
    for (const s of refused) assert.equal(parseJsonBytes(text(s), isAscii(text(s))), NOT_PARSED, s);
    const proto = jsonCodec.decode(text(`{"__proto__":{"polluted":true},"pad":"${'x'.repeat(70_000)}"}`)) as Record<string, unknown>;
    assert.ok(Object.hasOwn(proto, '__proto__'), 'JSON.parse makes "__proto__" an own member');
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  });

  it('agrees with JSON.parse on any JSON value, with any whitespace (property)', () => {
    const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');
    fc.assert(fc.property(fc.jsonValue(), space, (value, ws) => {
      const s = JSON.stringify(value, null, ws === '' ? undefined : ws.length) ?? 'null';
      expectAgrees(text(s));
      expectAgrees(text(`${ws}${s}${ws}`));
    }), { numRuns: 500 });
  });

  it('agrees with JSON.parse on any string, including invalid UTF-8 (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 12 }), (s, raw) => {
      expectAgrees(text(JSON.stringify({ s, [s]: [s] })));
      expectAgrees(Buffer.concat([text('{"raw":"'), Buffer.from(raw), text('","after":"x"}')]));
    }), { numRuns: 500 });
  });

  it('agrees with JSON.parse on damaged JSON text (property)', () => {
    const doc = fc.jsonValue().map((v) => text(JSON.stringify({ v, s: 'a"b\\c' })));
    fc.assert(fc.property(doc, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (bytes, at, byte, cut) => {
      const damaged = Buffer.from(bytes);
      if (cut) expectAgrees(damaged.subarray(0, at % damaged.length));
      else {
        damaged[at % damaged.length] = byte;
        expectAgrees(damaged);
      }
    }), { numRuns: 2000 });
  });
});

describe('nextSpecialByte', () => {
  /** The first byte below 0x20 or a backslash at or after `from`, one byte at a time. */
  function naive(bytes: Buffer, from: number): number {
    for (let i = from; i < bytes.length; i++) if (bytes[i]! < 0x20 || bytes[i] === 0x5c) return i;
    return bytes.length;
  }

  it('finds what a byte-by-byte scan finds, at any alignment and start (property)', () => {
    // Mostly plain bytes (so the word steps run), some special, some above 0x7f; sliced at any offset of a larger buffer.
    const byte = fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).filter((b) => b !== 0x5c) },
      { weight: 1, arbitrary: fc.constantFrom(0x00, 0x09, 0x0a, 0x1f, 0x20, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xdc, 0xff) },
    );
    fc.assert(fc.property(fc.array(byte, { maxLength: 80 }), fc.nat(7), fc.nat(90), (bytes, lead, from) => {
      const whole = Buffer.concat([Buffer.alloc(lead, 0x41), Buffer.from(bytes)]);
      const slice = whole.subarray(lead);
      assert.equal(nextSpecialByte(slice, from), naive(slice, from));
    }), { numRuns: 3000 });
  });

  it('sees each special byte in every lane of a word, and none in plain text', () => {
    const plain = Buffer.from('A'.repeat(64));
    assert.equal(nextSpecialByte(plain, 0), 64);
    for (const special of [0x00, 0x1f, 0x5c]) {
      for (let at = 0; at < 64; at++) {
        const b = Buffer.from(plain);
        b[at] = special;
        assert.equal(nextSpecialByte(b, 0), at, `0x${special.toString(16)} at ${at}`);
      }
    }
    // Bytes that the word tricks could take for special ones when next to one: 0x20, 0x5b, 0x5d, 0x7f and above.
    assert.equal(nextSpecialByte(Buffer.from([0x20, 0x5b, 0x5d, 0x7f, 0x80, 0xa0, 0xdc, 0xff, 0x21, 0x5c]), 0), 9);
  });
});

describe('jsonCodec.decode of large bodies', () => {
  it('gives JSON.parse\'s value or error for bodies the bytes parser reads', () => {
    const pad = 'p'.repeat(70_000);
    const valid = text(JSON.stringify({ StreamName: 's', Pad: pad, Records: [{ Data: 'AAAA', PartitionKey: 'é' }] }));
    assert.deepStrictEqual(jsonCodec.decode(valid), JSON.parse(valid.toString('utf8')));
    const invalid = text(`{"StreamName":"s","Pad":"${pad}",}`);
    assert.throws(() => jsonCodec.decode(invalid), (err: unknown) => {
      assert.ok(err instanceof SyntaxError);
      try { JSON.parse(invalid.toString('latin1')); } catch (ref) { assert.equal(err.message, (ref as Error).message); }
      return true;
    });
  });
});
