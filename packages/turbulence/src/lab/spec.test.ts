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

  it('refuses a ready.tcp value that is not a port or ADDRESS:PORT, at its position', () => {
    const svc = (tcp: string) =>
      'name: d\nhosts:\n  - name: a\n    services:\n      - name: s\n        command: x\n' +
      `        ready: { tcp: ${JSON.stringify(tcp)} }\n`;
    const e = errorOf(svc('10.0.0.1/80;touch /tmp/pwned:80'));
    expect(e.message).toContain('a port, or ADDRESS:PORT');
    expect(e.where).toBe('lab.yaml:7:23');
    expect(errorOf(svc('10.0.0.1:99999')).message).toContain('at most 65535');
    for (const ok of ['8080', ':8080', '10.0.0.1:80', 'beta:2379', '[::1]:53']) {
      expect(parseLabSpec(svc(ok)).hosts[0]?.services[0]?.ready?.tcp).toBe(ok);
    }
  });

  it('reports invalid YAML with its position', () => {
    expect(errorOf('name: [\n').message).toMatch(/invalid YAML/);
  });

  describe('dns block', () => {
    const lab = (dns: string, extra = 'hostAccess: true\n') =>
      `name: d\n${extra}dns:\n${dns}hosts:\n  - name: ns\n    dns: false\n  - name: a\n`;

    it('defaults to no rules and every host resolving through it unless it opts out', () => {
      const spec = parseLabSpec(lab('  upstream: ns\n  api: 127.0.0.1:5380\n'));
      expect(spec.dns).toEqual({ upstream: 'ns', api: '127.0.0.1:5380', rules: [] });
      expect(spec.hosts.map((h) => h.dns)).toEqual([false, true]);
    });

    it('accepts HOST:PORT, a bare IP, [v6]:port and a lab host with a port as upstream', () => {
      for (const up of ['10.0.0.2:5353', '10.0.0.2', '"[::1]:53"', 'a:5353']) {
        expect(parseLabSpec(lab(`  upstream: ${up}\n`)).dns?.upstream).toBe(up.replace(/"/g, ''));
      }
    });

    it('needs hostAccess, because the server listens on the gateway address', () => {
      const e = errorOf(lab('  upstream: ns\n', ''));
      expect(e.message).toContain('dns needs hostAccess: true');
      expect(e.where).toBe('lab.yaml:3:3');
    });

    it('rejects an upstream that is neither an address nor a lab host, at its position', () => {
      const e = errorOf(lab('  upstream: dns.example.com:53\n'));
      expect(e.message).toContain('upstream "dns.example.com:53" is neither HOST:PORT with an IP address nor');
      expect(e.where).toBe('lab.yaml:4:13');
    });

    it('validates the rules with the DNS rule parser, pointing at the bad rule', () => {
      const e = errorOf(
        lab('  rules:\n    - { name: x.test, action: nxdomain }\n    - { name: y.test, action: bogus }\n'),
      );
      expect(e.message).toContain('action "bogus" is not valid');
      expect(e.where).toBe('lab.yaml:6:31'); // the action itself
    });
  });
});
