import { describe, expect, it } from 'vitest';
import { readinessArgv } from '../supervisor/readiness.js';
import { managedSpecSchema } from '../supervisor/record.js';
import { toProcessSpec, toReadiness } from './services.js';
import type { LabState } from './state.js';

const ready = { timeout: 5000, interval: 200 };

describe('lab services as managed processes', () => {
  it('turns a tcp port into a check on the host address, and ADDRESS:PORT into that address', () => {
    expect(toReadiness({ ...ready, tcp: 2379 }, '10.77.0.11')).toEqual({ tcp: { host: '10.77.0.11', port: 2379 } });
    expect(toReadiness({ ...ready, tcp: 'beta:80' }, '10.77.0.11')).toEqual({ tcp: { host: 'beta', port: 80 } });
    expect(toReadiness({ ...ready, tcp: ':80' }, '10.77.0.11')).toEqual({ tcp: { host: '10.77.0.11', port: 80 } });
    expect(toReadiness({ ...ready, tcp: '[::1]:53' }, '10.0.0.1')).toEqual({ tcp: { host: '::1', port: 53 } });
  });

  it('passes a tcp check its host and port as arguments of a fixed script, never inside it', () => {
    const argv = readinessArgv({ tcp: { host: '10.77.0.11', port: 2379 } });
    const script = argv[argv.indexOf('-c') + 1];
    expect(script).not.toContain('10.77.0.11');
    expect(script).not.toContain('2379');
    expect(argv.slice(-2)).toEqual(['10.77.0.11', '2379']);
  });

  it('refuses a tcp host a shell would read as code', () => {
    const spec = { name: 'x', command: 'true', readiness: { tcp: { host: '$(touch /tmp/p)', port: 1 } } };
    expect(managedSpecSchema.safeParse(spec).success).toBe(false);
  });

  it('builds one process spec: netns, readiness, restart policy, stop timeout, log and lab env', () => {
    const lab = {
      name: 'x-y',
      logDir: '/tmp/tb-logs',
      hosts: [],
    } as unknown as LabState;
    const host = { name: 'z', netns: 'tb-x-y.z', address: '10.77.0.11', services: {} };
    const spec = toProcessSpec(lab, host, {
      name: 'web',
      command: 'node server.js',
      env: { A: '1' },
      cwd: '/tmp',
      ready: { ...ready, http: 'http://z:8080/' },
      restart: 'on-failure',
      faketime: false,
      stopTimeout: 7000,
      restartDelay: 500,
    });
    const parsed = managedSpecSchema.parse(spec);
    expect(parsed).toMatchObject({
      name: 'x-y.z.web',
      command: '/bin/sh',
      args: ['-c', 'node server.js'],
      netns: 'tb-x-y.z',
      readiness: { http: 'http://z:8080/' },
      readyTimeoutMs: 5000,
      readyIntervalMs: 200,
      restart: 'on-failure',
      restartDelayMs: 500,
      stopTimeoutMs: 7000,
      log: '/tmp/tb-logs/z/web.log',
      env: { A: '1', TURBULENCE_LAB_HOST: 'z', TURBULENCE_LAB_ADDRESS: '10.77.0.11' },
    });
  });
});
