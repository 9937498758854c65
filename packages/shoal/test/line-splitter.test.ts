import { strict as assert } from 'node:assert';
import { LineSplitter, LineTooLongError } from '../src/put/line-splitter';

const texts = (lines: Buffer[]): string[] => lines.map((l) => l.toString('latin1'));

describe('line splitter', () => {
  it('splits on LF across chunk boundaries and keeps a last line without newline', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(texts(s.push(Buffer.from('ab'))), []);
    assert.deepEqual(texts(s.push(Buffer.from('c\nde\n\nf'))), ['abc', 'de', '']);
    assert.deepEqual(texts(s.push(Buffer.from('g'))), []);
    assert.equal(s.end()?.toString(), 'fg');
  });

  it('gives no extra line after a final newline', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(texts(s.push(Buffer.from('a\nb\n'))), ['a', 'b']);
    assert.equal(s.end(), undefined);
  });

  it('removes the CR of CRLF, also when CR and LF arrive in different chunks', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(texts(s.push(Buffer.from('a\r\nb\r'))), ['a']);
    assert.deepEqual(texts(s.push(Buffer.from('\nc'))), ['b']);
    assert.equal(s.end()?.toString(), 'c');
  });

  it('passes bytes that are not UTF-8 unchanged', () => {
    const s = new LineSplitter(100);
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]);
    const [line] = s.push(bytes);
    assert.deepEqual(line, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
  });

  it('accepts a line of exactly the bound (also with CRLF) and refuses one byte more, with its line number', () => {
    const s = new LineSplitter(4);
    assert.deepEqual(texts(s.push(Buffer.from('abcd\nwxyz\r\n'))), ['abcd', 'wxyz']);
    assert.throws(() => s.push(Buffer.from('12345\n')), (err: unknown) => err instanceof LineTooLongError && err.lineNumber === 3);
  });

  it('refuses a long line before its end arrives (bounded memory)', () => {
    const s = new LineSplitter(4);
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('cde'));  // 5 bytes pending: may still end in CR LF
    assert.throws(() => s.push(Buffer.from('f')), LineTooLongError);
  });
});
