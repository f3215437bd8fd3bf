import { parse } from 'graphql';
import { nulCharacterIn } from '../src/limits';

describe('finding NUL characters in an operation', () => {
  const clean = parse('query Q($v: String) { a(x: $v, y: "fine") }');

  it('when a nested variable holds one, then its path is named', () => {
    const variables = { input: { tags: ['ok', 'bad\u0000'] }, other: 'fine' };
    expect(nulCharacterIn(clean, variables)).toBe('$input.tags.1');
  });

  it('when a literal holds one, then its line is named, for that document only', () => {
    const withNul = parse('query Q {\n  a(y: "bad\\u0000")\n}');
    expect(nulCharacterIn(withNul, {})).toBe('line 2');
    // Asked twice: the answer for a document is kept, and one document's is not another's.
    expect(nulCharacterIn(withNul, undefined)).toBe('line 2');
    expect(nulCharacterIn(clean, { v: 'fine' })).toBeUndefined();
  });

  it('when nothing holds one, then nothing is named', () => {
    expect(nulCharacterIn(clean, { v: 'fine', n: 3, list: [null, { x: 'y' }] })).toBeUndefined();
    expect(nulCharacterIn(undefined, undefined)).toBeUndefined();
  });
});
