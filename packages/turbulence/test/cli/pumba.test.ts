/**
 * Pumba command-line conformance (`test/fixtures/pumba/`, real Pumba command lines from its README, docs and
 * examples; see SOURCES.md): every line of commands.txt, split as shell words (never by a shell), reads into a plan
 * whose fault kind, params and target turbulence's own schemas accept; every line of invalid-commands.txt is
 * refused with the reason Pumba gives. Plus the plans of a few lines spelled out, nearest-flag hints, and
 * `turbulence docker --dry-run` through the real CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../../src/core/errors.js';
import { kindSchema } from '../../src/faults/schemas.js';
import { containerQuerySchema } from '../../src/targets/queries.js';
import { parsePumba } from '../../src/cli/pumba/parse.js';
import { geModelRate, lossStateRate, planPumba, type PumbaPlan } from '../../src/cli/pumba/plan.js';
import { pumbaLogger } from '../../src/cli/pumba/execute.js';
import { cliTimeout, runCli } from '../support/cli.js';
import { shellWords } from '../support/shell-words.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'pumba');
const lines = (file: string) => readFileSync(join(DIR, file), 'utf8').split('\n');

/** commands.txt: `# source` + command pairs. */
const valid = lines('commands.txt').filter((l) => l.startsWith('pumba'));
/** invalid-commands.txt: `# source`, `# expect`, command. */
const invalid = lines('invalid-commands.txt').flatMap((l, i, all) =>
  l.startsWith('pumba') ? [{ line: l, expect: all[i - 1] ?? '' }] : [],
);

const plan = (line: string): PumbaPlan => {
  const [pumba, ...words] = shellWords(line);
  expect(pumba).toBe('pumba');
  return planPumba(parsePumba(words));
};

describe('Pumba command lines (commands.txt)', () => {
  it('has the 71 lines SOURCES.md promises', () => expect(valid).toHaveLength(71));

  it.each(valid)('reads %s', (line) => {
    const p = plan(line);
    if (p.action !== 'run') return;
    const fault = p.fault!;
    expect(containerQuerySchema.safeParse(fault.target).success).toBe(true);
    const schema = kindSchema(fault.kind);
    if (p.unsupported.length > 0 && !schema) return; // e.g. exec: refused at execution, with the reason
    expect(schema, `${fault.kind} is a known kind`).toBeDefined();
    const parsed = schema!.params.safeParse(fault.params);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});

describe('refused Pumba command lines (invalid-commands.txt)', () => {
  it('has the 14 lines SOURCES.md promises', () => expect(invalid).toHaveLength(14));

  it.each(invalid)('refuses $line', ({ line, expect: expectation }) => {
    let error: unknown;
    try {
      plan(line);
    } catch (e) {
      error = e;
    }
    expect(isTurbulenceError(error), `${line} must be refused`).toBe(true);
    const text = `${(error as Error).message}\n${(error as { hint?: string }).hint ?? ''}`.toLowerCase();
    const contains = /output contains "([^"]+)"/.exec(expectation)?.[1];
    if (contains) expect(text).toContain(contains.toLowerCase());
    const words = [...(/matches (.*)$/.exec(expectation)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    if (words.length > 0)
      expect(
        words.some((w) => text.includes(w.toLowerCase())),
        `${text} ~ ${words.join('|')}`,
      ).toBe(true);
    if (/failed to parse ip/.test(expectation)) expect(text).toContain('failed to parse ip');
  });
});

describe('Pumba plans', () => {
  it('kill with --interval and --random picks one container per tick by regex', () => {
    const p = plan(`pumba --interval=30s --random kill "re2:^test"`);
    expect(p).toMatchObject({
      action: 'run',
      intervalMs: 30_000,
      fault: {
        kind: 'container.kill',
        target: { name: 're2:^test' },
        params: { signal: 'SIGKILL' },
        select: { mode: 'one' },
      },
    });
  });

  it('netem delay becomes container.latency on egress, with jitter, for the duration', () => {
    const p = plan(
      'pumba netem --duration 5m --interface eth1 delay --time 3000 --jitter 30 --correlation 20 "re2:^test"',
    );
    expect(p.fault).toEqual({
      kind: 'container.latency',
      target: { name: 're2:^test' },
      params: { delay: 3000, jitter: 30, direction: 'egress', device: 'eth1' },
      durationMs: 300_000,
    });
  });

  it('iptables loss becomes ingress container.loss; helper-image flags are accepted with a note', () => {
    const p = plan(
      'pumba iptables --iptables-image ghcr.io/alexei-led/pumba-alpine-nettools:latest --duration 5m loss --probability 0.1 myapp',
    );
    expect(p.fault).toMatchObject({
      kind: 'container.loss',
      params: { percent: 10, direction: 'ingress' },
      durationMs: 300_000,
    });
    expect(p.notes.join('\n')).toMatch(/--iptables-image: turbulence needs no helper image/);
    expect(p.unsupported).toEqual([]);
  });

  it('iptables filters become a list of match filters, any of which drops, as Pumba adds one rule per flag', () => {
    const p = plan(
      'pumba iptables --duration 5m --protocol tcp --source 192.168.1.100 --dst-port 8080 loss --mode nth --every 5 api',
    );
    expect(p.unsupported).toEqual([]);
    expect(p.fault?.params).toEqual({
      percent: 20,
      direction: 'ingress',
      match: [
        { protocol: 'tcp', sources: ['192.168.1.100'] },
        { protocol: 'tcp', dstPorts: [8080] },
      ],
    });
    expect(plan('pumba iptables --duration 1m --protocol udp loss --probability 0.2 x').fault?.params).toMatchObject({
      match: [{ protocol: 'udp' }],
    });
    const anyProto = plan('pumba iptables --dst-port 80 --duration 5m loss --probability 0.1 myapp');
    expect(anyProto.fault?.params).toMatchObject({ match: [{ dstPorts: [80] }] });
    expect(anyProto.notes.join('\n')).toMatch(/Pumba refuses it .* turbulence matches the port on TCP and UDP/);
    expect(() => plan('pumba iptables --duration 1m --protocol icmp --dst-port 80 loss x')).toThrow(
      /only supported for tcp and udp/,
    );
    expect(() => plan('pumba iptables --duration 1m --dst-port http loss x')).toThrow(/invalid port "http"/);
  });

  it('netem port filters: egress ports are source ports, ingress ports destination ports, any of them', () => {
    const p = plan(
      'pumba netem --duration 1m --target 10.0.0.0/24 --egress-port 80,81 --ingress-port 5432 delay --time 300 db',
    );
    expect(p.unsupported).toEqual([]);
    expect(p.fault?.params).toMatchObject({
      delay: 300,
      direction: 'egress',
      match: [{ destinations: ['10.0.0.0/24'] }, { srcPorts: [80, 81] }, { dstPorts: [5432] }],
    });
    expect(p.fault?.params).not.toHaveProperty('peers');
  });

  it('stop without --restart keeps the container stopped; with --restart it starts again after --duration', () => {
    expect(plan('pumba stop myapp')).toMatchObject({
      keep: true,
      fault: { kind: 'container.stop', params: { timeout: 5 } },
    });
    const r = plan(`pumba --log-level=info --interval=15s --random stop --duration=7s --restart 're2:^stopme*'`);
    expect(r.keep).toBeUndefined();
    expect(r.fault).toMatchObject({ kind: 'container.stop', durationMs: 7000 });
  });

  it('rm opts in to the irreversible container.remove with Pumba defaults, and --force=false is read', () => {
    expect(plan('pumba rm myapp').fault?.params).toEqual({
      force: true,
      volumes: true,
      links: false,
      irreversible: true,
    });
    expect(plan('pumba rm --force=false --volumes=false myapp').fault?.params).toMatchObject({
      force: false,
      volumes: false,
    });
  });

  it('labels AND with names; --limit selects a count; --runtime podman talks to the Podman socket', () => {
    expect(plan('pumba --label app=web --label env=staging kill --limit 2 web-1 web-2').fault).toMatchObject({
      target: { name: ['web-1', 'web-2'], label: ['app=web', 'env=staging'] },
      select: { mode: 'count', value: 2 },
    });
    expect(plan('pumba --runtime podman kill mycontainer').dockerHost).toBe('unix:///run/podman/podman.sock');
    expect(plan('pumba --runtime containerd --containerd-namespace k8s.io kill abc').unsupported).toHaveLength(1);
    expect(plan('pumba --runtime containerd --containerd-namespace k8s.io kill abc').unsupported[0]).toMatch(
      /no containerd client .* pod\.\* kinds/,
    );
    const moby = plan(
      'pumba --runtime containerd --containerd-namespace moby netem --duration 5m delay --time 3000 abc',
    );
    expect(moby.unsupported).toEqual([]);
    expect(moby.notes.join('\n')).toMatch(/Docker Engine's own containers/);
  });

  it('exec runs the command as argv through container.exec; --command is split on spaces (no shell)', () => {
    expect(plan('pumba exec --command "ls" --args "-la" --args "/etc" "re2:^api.*"').fault).toMatchObject({
      kind: 'container.exec',
      params: { command: ['ls', '-la', '/etc'] },
      target: { name: 're2:^api.*' },
    });
    const p = plan('pumba exec web');
    expect(p.unsupported).toEqual([]);
    expect(p.fault?.params).toEqual({ command: ['kill', '1'] });
    expect(p.notes.join('\n')).toMatch(/splits it on spaces into argv/);
  });

  it('--log-level filters the lines (Pumba default: warning) and --json writes logrus-style JSON lines', () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(`out ${l}`), err: (l: string) => lines.push(`err ${l}`) };
    const quiet = pumbaLogger(plan('pumba kill x'), io);
    quiet('info', 'injected');
    quiet('error', 'boom');
    expect(lines).toEqual(['err boom']);
    lines.length = 0;
    const json = pumbaLogger(plan('pumba --json --log-level info kill x'), io);
    json('info', 'injected');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.slice(4))).toMatchObject({ level: 'info', msg: 'injected' });
    expect(() => plan('pumba --log-level loud kill x')).toThrow(/not a valid log level/);
  });

  it('approximates netem Markov loss by its long-run rate', () => {
    expect(geModelRate(5, 90, 100, 0)).toBeCloseTo(5.26, 1);
    expect(lossStateRate(0, 100, 0, 100, 0)).toBe(0);
    expect(lossStateRate(5, 90, 0, 100, 0)).toBeGreaterThan(4);
  });

  it('names the nearest flag for an unknown one, and the subcommand that owns it', () => {
    expect(() => plan('pumba kill --signall SIGTERM x')).toThrow(/flag provided but not defined: -signall/);
    try {
      plan('pumba kill --signall SIGTERM x');
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/did you mean --signal\?/);
    }
    try {
      plan('pumba netem --duration 1s --time 100 delay x');
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/--time is a flag of `delay`/);
    }
  });

  it('refuses what Pumba refuses beyond the fixture: jitter >= time, duration >= interval, bad signal', () => {
    expect(() => plan('pumba netem --duration 1s delay --time 100 --jitter 100 x')).toThrow(/jitter/);
    expect(() => plan('pumba --interval 10s pause --duration 10s x')).toThrow(/shorter than interval/);
    expect(() => plan('pumba kill --signal SIGNOPE x')).toThrow(/invalid signal/);
    expect(() => plan('pumba netem --duration 1s delay --distribution zipf x')).toThrow(/distribution/);
  });
});

describe('turbulence docker (CLI)', () => {
  it('prints the plan with --dry-run and refuses an invalid line with exit 2', { timeout: cliTimeout(2) }, async () => {
    const ok = await runCli([
      'docker',
      '--dry-run',
      'netem',
      '--tc-image',
      'x/y:z',
      '--duration',
      '5m',
      'delay',
      '--time',
      '3000',
      '<container-id>',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('kind:     container.latency');
    expect(ok.stdout).toContain('"<container-id>"');
    expect(ok.stderr).toMatch(/note: --tc-image/);
    const bad = await runCli(['docker', 'netem', 'dealy', '--duration', '1s', '--time', '100', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did you mean "delay"/);
  });
});
