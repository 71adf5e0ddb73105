/**
 * The arcade's target sets from `turbulence ui --arcade-*`: a query the family does not accept is refused at start
 * with the field and the flag, so nothing is ever shot from a set the user did not mean.
 */
import { describe, expect, it } from 'vitest';
import { containerSource, labSource, podSource } from '../../src/ui/arcade-sources.js';

describe('arcade target sets', () => {
  it('takes the family queries and says what a shot does', () => {
    expect(containerSource({ label: 'app=web' }, 5000)).toMatchObject({ kind: 'container.kill', durationMs: 5000 });
    expect(podSource({ namespace: 'shop', selector: 'app=web' })).toMatchObject({ kind: 'pod.delete' });
    expect(podSource({ namespace: 'shop', selector: 'app=web' }).durationMs).toBeUndefined();
    expect(labSource('shop', 15_000).effect).toContain('lab shop');
  });

  it('refuses a query its family does not accept, naming the field and the flag', () => {
    expect(() => containerSource({ colour: 'red' }, 5000)).toThrow(/--arcade-container: /);
    expect(() => podSource({ namespace: 'shop' })).toThrow(/--arcade-pod: .*give at least one of name, selector/);
  });
});
