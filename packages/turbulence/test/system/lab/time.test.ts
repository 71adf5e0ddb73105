import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppliedFault } from '../../../src/core/fault.js';
import { skewDriver } from '../../../src/faults/time/skew.js';
import { labUp, parseLabSpec, type RunningLab } from '../../../src/lab/index.js';
import { run } from '../../../src/os/exec.js';
import { requireSystem } from '../../support/system.js';
import { uniqueName, uniqueSubnet, useTempHome } from './helpers.js';
import { ctx } from './netlab.js';

const sys = requireSystem('root', 'ip', 'faketime');

describe.skipIf(sys.skip)('time.skew on a lab service started under libfaketime', () => {
  let lab: RunningLab;
  beforeAll(async () => {
    useTempHome();
    const clock = `[${process.execPath}, -e, "require('http').createServer((q,s)=>s.end(String(Date.now()))).listen(8080)"]`;
    lab = await labUp(
      parseLabSpec(
        `name: ${uniqueName()}\nsubnet: ${uniqueSubnet()}\nhosts:\n  - name: t\n    services:\n` +
          `      - name: clock\n        command: ${clock}\n        faketime: true\n        ready: { tcp: 8080 }\n`,
      ),
    );
  });
  afterAll(async () => {
    await lab?.down();
  });

  /** The service's clock minus ours, in seconds. */
  const skew = async (): Promise<number> => {
    const { stdout } = await run(['curl', '-s', '-m', '3', 'http://t:8080/'], { netns: lab.state.hosts[0]!.netns });
    return (Number(stdout) - Date.now()) / 1000;
  };

  it('moves the service clock forward and back without a restart, then restores it', async () => {
    expect(Math.abs(await skew())).toBeLessThan(5);
    const pid = lab.state.hosts[0]!.services.clock!.pid;
    const [target] = await skewDriver.resolveTargets({ lab: lab.state.name, host: 't', service: 'clock' }, ctx());
    const forward = skewDriver.params.parse({ offset: '+1h' });
    const fault: AppliedFault<typeof forward> = { id: 'f', kind: 'time.skew', target: target!, params: forward };
    fault.state = (await skewDriver.inject(target!, forward, ctx())) ?? undefined;
    expect(await skewDriver.verify!(fault, ctx())).toBe(true);
    expect(await skew()).toBeGreaterThan(3595);
    expect(await skew()).toBeLessThan(3605);
    const back = skewDriver.params.parse({ offset: '-30s' });
    await skewDriver.inject(target!, back, ctx());
    const s = await skew();
    expect(s).toBeGreaterThan(-35);
    expect(s).toBeLessThan(-25);
    await skewDriver.revert(fault, ctx());
    expect(Math.abs(await skew())).toBeLessThan(5);
    expect(lab.state.hosts[0]!.services.clock!.pid).toBe(pid);
  });

  it('refuses a process that was not started under libfaketime', async () => {
    const target = { id: 'pid:4242', type: 'process', name: 'some process', attributes: { pid: 4242 } };
    const p = skewDriver.params.parse({ offset: 60 });
    await expect(skewDriver.inject(target, p, ctx())).rejects.toThrow(/not started under libfaketime/);
  });
});
