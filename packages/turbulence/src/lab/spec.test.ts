import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../core/errors.js';
import { assignAddresses, parseLabSpec } from './spec.js';

function errorOf(text: string): { message: string; where: string; more: string[] } {
  try {
    parseLabSpec(text, 'lab.yaml');
  } catch (err) {
    if (!isTurbulenceError(err)) throw err;
    const where = `${err.location?.file}:${err.location?.line}:${err.location?.column}`;
    return { message: err.message, where, more: err.details.map((d) => d.format()) };
  }
  throw new Error('expected an error');
}

describe('lab file', () => {
  it('applies defaults and assigns addresses in order, skipping declared ones', () => {
    const lab = parseLabSpec('name: demo\nhosts:\n  - name: a\n  - name: b\n    address: 10.77.0.11\n  - name: c\n');
    expect(lab.subnet).toBe('10.77.0.0/24');
    expect([...assignAddresses(lab)]).toEqual([
      ['a', '10.77.0.12'],
      ['b', '10.77.0.11'],
      ['c', '10.77.0.13'],
    ]);
  });

  it('parses services with durations, env and restart policy', () => {
    const lab = parseLabSpec(
      'name: demo\nhosts:\n  - name: a\n    services:\n      - name: web\n        command: node server.js\n' +
        '        env: { PORT: 8080 }\n        ready: { tcp: 8080, timeout: 5s }\n        restart: always\n',
    );
    const svc = lab.hosts[0]?.services[0];
    expect(svc).toMatchObject({ env: { PORT: '8080' }, restart: 'always', ready: { tcp: 8080, timeout: 5000 } });
  });

  it('points at the line and column of a bad address', () => {
    const e = errorOf('name: demo\nsubnet: 10.9.9.0/24\nhosts:\n  - name: a\n    address: 10.1.1.5\n');
    expect(e.message).toContain('10.1.1.5 is not in 10.9.9.0/24');
    expect(e.where).toBe('lab.yaml:5:14');
  });

  it('reports every problem, each with its own position', () => {
    const e = errorOf('name: Demo\nhosts:\n  - name: a\n  - name: a\n    bogus: 1\n');
    expect(e.where).toBe('lab.yaml:1:7');
    expect(e.more.join('\n')).toMatch(/lab\.yaml:4:\d+ .*declared twice|lab\.yaml:5:\d+/);
    expect(e.more.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a readiness probe with two kinds', () => {
    const e = errorOf(
      'name: d\nhosts:\n  - name: a\n    services:\n      - name: s\n        command: x\n' +
        '        ready: { tcp: 1, exec: "true" }\n',
    );
    expect(e.message).toContain('exactly one of tcp, http, exec');
    expect(e.where).toBe('lab.yaml:7:16');
  });

  it('reports invalid YAML with its position', () => {
    expect(errorOf('name: [\n').message).toMatch(/invalid YAML/);
  });
});
