import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { RuleEngine } from './engine.js';
import { parseRulesText } from './rules-file.js';

describe('rules file', () => {
  it('gives rules without an id to a server, which assigns ids (documented form, `dns serve --rules`)', () => {
    const rules = parseRulesText(
      'rules:\n  - name: svc.example.test\n    action: truncate\n  - id: keep\n    action: drop\n',
    );
    const engine = new RuleEngine(new Rng(1));
    for (const r of rules) engine.add(r);
    const ids = engine.list().map((r) => r.id);
    expect(ids[1]).toBe('keep');
    expect(ids[0]).toMatch(/^\S+$/);
    expect(ids[0]).not.toBe('keep');
  });
});
