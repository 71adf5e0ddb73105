import { describe, expect, it } from 'vitest';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { getDriver, listDrivers, parseParams } from './registry.js';

describe('fault registry', () => {
  it('loads a driver by kind from its family', async () => {
    const driver = await getDriver('process.stop');
    expect(driver.kind).toBe('process.stop');
    expect(driver.summary).toMatch(/SIGSTOP/);
  });

  it('lists the process kinds among all drivers, sorted', async () => {
    const kinds = (await listDrivers()).map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(['process.cont', 'process.kill', 'process.restart', 'process.stop']));
    expect(kinds).toEqual([...kinds].sort());
  });

  it('refuses an unknown kind and names the known ones', async () => {
    const err = await getDriver('process.explode').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurbulenceError);
    expect((err as TurbulenceError).code).toBe(ErrorCodes.FAULT_UNKNOWN_KIND);
    expect((err as TurbulenceError).hint).toMatch(/process\.kill/);
    await expect(getDriver('nosuchfamily.x')).rejects.toMatchObject({ code: ErrorCodes.FAULT_UNKNOWN_KIND });
  });

  it('applies defaults and turns schema errors into FAULT_INVALID_PARAMS with field paths', async () => {
    const kill = await getDriver('process.kill');
    expect(parseParams(kill, undefined)).toEqual({ signal: 'SIGKILL', restart: false });
    const err = (() => {
      try {
        parseParams(kill, { signal: 'SIGBOGUS', restart: 'yes' }, { file: 'x.yaml', path: ['method', 0, 'params'] });
      } catch (e) {
        return e as TurbulenceError;
      }
      return undefined;
    })();
    expect(err?.code).toBe(ErrorCodes.FAULT_INVALID_PARAMS);
    expect(err?.message).toMatch(/invalid params for process\.kill: .* \(and 1 more\)/);
    expect(err?.location?.path).toEqual(['method', 0, 'params', 'signal']);
    const paths = err?.details.map((d) => d.location?.path?.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['method.0.params.signal', 'method.0.params.restart']));
    expect(err?.details[0]?.location?.file).toBe('x.yaml');
  });
});
