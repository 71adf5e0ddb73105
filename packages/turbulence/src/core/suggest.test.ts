import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from './suggest.js';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('sginal', 'signal')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest name for a one-letter typo, and nothing for an unrelated word', () => {
    expect(nearest('sginal', ['signal', 'restart'])).toBe('signal');
    expect(nearest('process.kil', ['process.kill', 'process.stop'])).toBe('process.kill');
    expect(nearest('tittle', ['title', 'description'])).toBe('title');
    expect(nearest('xyzzy', ['title', 'description'])).toBeUndefined();
  });

  it('completes a kind given without its family', () => {
    expect(nearest('partition', ['network.partition', 'network.loss'])).toBe('network.partition');
  });

  it('says "did you mean" or lists the valid names', () => {
    expect(didYouMean('sginal', ['signal'])).toBe('did you mean "signal"?');
    expect(didYouMean('zzz', ['a', 'b'])).toBe('use one of a, b');
  });
});
