/** The monkey examples stay valid: the demo schedule plans, the container schedule fails only on a missing kind. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindSchema } from '../../packages/turbulence/src/faults/schemas.js';
import { loadSchedule } from '../../packages/turbulence/src/monkey/load.js';
import { plan } from '../../packages/turbulence/src/monkey/plan.js';
import { parseDate } from '../../packages/turbulence/src/monkey/time.js';

const here = import.meta.dirname;

describe('examples/monkey', () => {
  it('demo.yaml plans about one kill every two workdays and one pause every three', async () => {
    const schedule = await loadSchedule(join(here, 'demo.yaml'));
    const fired = plan({ schedule, seed: 7, start: parseDate('2027-01-04')! }, 140).filter(
      (e) => e.decision === 'fire',
    );
    const kills = fired.filter((e) => e.group === 'kill-replica').length;
    const pauses = fired.filter((e) => e.group === 'pause-replica').length;
    expect(kills).toBeGreaterThan(30);
    expect(kills).toBeLessThan(70);
    expect(pauses).toBeGreaterThan(15);
    expect(pauses).toBeLessThan(50);
  });

  it('containers.yaml is valid, or refused only for want of the container kinds', async () => {
    const load = loadSchedule(join(here, 'containers.yaml'));
    if (kindSchema('container.kill')) {
      await expect(load).resolves.toMatchObject({ name: 'monkey-containers' });
    } else {
      const err = (await load.catch((e: unknown) => e)) as { message: string; details: unknown[] };
      expect(err.message).toMatch(/container\.kill/);
      expect(err.details).toEqual([]); // nothing else is wrong with it
    }
  });

  it('demo.yaml takes its holidays from team-holidays.ics (yearly, last Friday of the month, an offsite)', async () => {
    const schedule = await loadSchedule(join(here, 'demo.yaml'));
    for (const d of ['2026-12-24', '2026-12-25', '2026-12-26', '2027-01-01', '2027-01-29', '2027-03-15', '2027-03-16'])
      expect(schedule.holidays.has(d), d).toBe(true);
    expect(schedule.holidays.has('2027-03-17')).toBe(false);
  });

  it('kube-monkey/config.toml maps with its victim manifest: leashed, one group, a webhook', async () => {
    const schedule = await loadSchedule(join(here, 'kube-monkey', 'config.toml'), {
      labels: [join(here, 'kube-monkey', 'victim.yaml')],
      env: {},
    });
    expect(schedule).toMatchObject({ leashed: true, timezone: 'Europe/Berlin', startMinute: 600, endMinute: 960 });
    expect(schedule.groups.map((g) => [g.name, g.mtbf, g.kubeMonkey])).toEqual([
      ['shop-web', 2, { workload: { kind: 'Deployment', namespace: 'shop', name: 'web' } }],
    ]);
    expect(schedule.notifications).toMatchObject([{ url: '{$env:KUBE_MONKEY_HOOK}', reportSchedule: true }]);
  });
});
