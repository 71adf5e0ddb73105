import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchedule } from '../load.js';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'monkey', 'upstream');
const km = (p: string) => join(DIR, 'kube-monkey', p);
const cm = (p: string) => join(DIR, 'chaosmonkey', p);

/** Reads conformance files; kube-monkey's README label snippets end with an `[... omitted ...]` line, dropped. */
const read = async (p: string) => (await readFile(p, 'utf8')).replace(/^\[\.\.\. omitted \.\.\.\]\n?/m, '');
const proc = { kind: 'process.kill', target: { cmdline: 'monkey-victim' } };

describe('kube-monkey config.toml, unchanged', () => {
  it('maps the README config: hours, time zone, dry run as leashed', async () => {
    const warnings: string[] = [];
    const s = await loadSchedule(km('readme-extracted/readme-config.toml'), {
      ...proc,
      env: {},
      read,
      warn: (w) => warnings.push(w),
    });
    expect(s).toMatchObject({
      timezone: 'America/New_York',
      startMinute: 600,
      endMinute: 960,
      leashed: true,
      days: [1, 2, 3, 4, 5],
    });
    expect(warnings.join('\n')).toMatch(/run_hour 8/);
  });

  it('applies KUBEMONKEY_* environment overrides the way viper does', async () => {
    const env = { KUBEMONKEY_DRY_RUN: 'false', KUBEMONKEY_START_HOUR: '11', KUBEMONKEY_TIME_ZONE: 'Europe/Berlin' };
    const s = await loadSchedule(km('readme-extracted/readme-config.toml'), { ...proc, env, read });
    expect(s).toMatchObject({ timezone: 'Europe/Berlin', startMinute: 660, leashed: false });
  });

  it('reads the ConfigMap form, defaults included (no dry_run key: dry run)', async () => {
    const s = await loadSchedule(km('examples/configmap.yaml'), { ...proc, env: {}, read });
    expect(s).toMatchObject({ timezone: 'America/Los_Angeles', startMinute: 600, endMinute: 960, leashed: true });
  });

  it('maps [notifications] to webhooks (proxy warned) and [debug] to any-hour windows and forced faults', async () => {
    const warnings: string[] = [];
    const n = await loadSchedule(km('examples/notifications-configmap.yaml'), {
      ...proc,
      env: {},
      read,
      warn: (w) => warnings.push(w),
    });
    expect(n.notifications).toEqual([
      {
        url: 'test1',
        message: '{"foo":"bar","bar":"foo"}',
        headers: { header1Key: 'header1Value', header2Key: 'header2Value' },
        reportSchedule: true,
      },
    ]);
    expect(warnings.join('\n')).toMatch(/proxy host:port: not supported/);
    const d = await loadSchedule(km('examples/debug-mode-configmap.yaml'), { ...proc, mtbf: 5, env: {}, read });
    expect(d).toMatchObject({ days: [0, 1, 2, 3, 4, 5, 6], startMinute: 0, endMinute: 1440 });
    expect(d.groups[0]?.mtbf).toBe(5);
    const forced = await loadSchedule(km('examples/debug-mode-configmap.yaml'), {
      ...proc,
      mtbf: 5,
      env: { DEBUG_FORCE_SHOULD_KILL: 'true' },
      read,
    });
    expect(forced.groups[0]?.mtbf).toBe(1);
  });

  it('makes one group per labelled victim with its mtbf and kill mode', async () => {
    const s = await loadSchedule(km('readme-extracted/readme-config.toml'), {
      ...proc,
      env: {},
      read,
      labels: [km('readme-extracted/readme-victim-metadata-and-template-labels.yaml')],
    });
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0]).toMatchObject({
      name: 'app-namespace-monkey-victim',
      mtbf: 2,
      select: { mode: 'count', value: 1 },
    });
  });

  it('refuses what kube-monkey refuses, with its reason', async () => {
    const bad = (text: string) =>
      loadSchedule('/x/config.toml', { ...proc, env: {}, read: () => Promise.resolve(text) });
    await expect(bad('[kubemonkey]\nrun_hour = 11\nstart_hour = 10\nend_hour = 16\n')).rejects.toThrow(
      'RunHour: kubemonkey.run_hour should be less than kubemonkey.start_hour',
    );
    await expect(bad('[kubemonkey]\nrun_hour = 8\nstart_hour = 16\nend_hour = 10\n')).rejects.toThrow(
      'StartHour: kubemonkey.start_hour must be less than kubemonkey.end_hour',
    );
    await expect(bad('[kubemonkey]\nend_hour = 24\n')).rejects.toThrow(
      'EndHour: kubemonkey.end_hour is outside valid range of [0,23]',
    );
    await expect(bad('[kubemonkey]\nrun_hour = = 8\n')).rejects.toMatchObject({
      code: 'TURB_ERR_LOAD_FAILED',
      location: { line: 2 },
    });
  });
});

describe('Chaos Monkey chaosmonkey.toml + per-app JSON, unchanged', () => {
  it('maps the defaults and an app: work days 09-15 Los Angeles, leashed, MTBF and min gap', async () => {
    const warnings: string[] = [];
    const s = await loadSchedule(cm('docs-extracted/chaosmonkey-defaults.toml'), {
      read,
      target: { cmdline: 'abc' },
      apps: [cm('app-config/fromjson-cluster-exceptions.json')],
      warn: (w) => warnings.push(w),
    });
    expect(s).toMatchObject({ timezone: 'America/Los_Angeles', startMinute: 540, endMinute: 900, leashed: true });
    expect(s.groups[0]).toMatchObject({ name: 'abc', mtbf: 5, minGap: 1, grouping: 'cluster' });
    expect(warnings.join('\n')).toMatch(/enabled = false/);
    expect(warnings.join('\n')).toMatch(/exceptions and whitelist/);
  });

  it('runs unleashed when the example config says leashed = false', async () => {
    const s = await loadSchedule(cm('docs-extracted/chaosmonkey-example.toml'), {
      read,
      target: { cmdline: 'abc' },
      apps: [cm('app-config/fromjson-populated-whitelist.json')],
    });
    expect(s.leashed).toBe(false);
  });

  const rejected: [string, string][] = [
    ['invalid/enabled-without-grouping-or-times.json', 'attributes.chaosMonkey.meanTimeBetweenKillsInWorkDays missing'],
    ['invalid/grouping-unquoted-not-json.json', 'json unmarshal failed'],
    ['invalid/mean-time-zero.json', 'invalid attributes.chaosMonkey.meanTimeBetweenKillsInWorkDays: 0'],
    ['invalid/exception-missing-region.json', 'missing region field in exception'],
  ];
  for (const [file, message] of rejected) {
    it(`refuses ${file} as upstream does: ${message}`, async () => {
      const load = loadSchedule(cm('docs-extracted/chaosmonkey-example.toml'), {
        read,
        target: { cmdline: 'abc' },
        apps: [cm(file)],
      });
      await expect(load).rejects.toThrow(message);
      await expect(load).rejects.toMatchObject({ code: 'TURB_ERR_SCHEDULE_INVALID' });
    });
  }
});
