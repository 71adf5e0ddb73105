/**
 * `limit.io`: throttles a process's reads and/or writes on one block device (bytes per second).
 *
 * @example
 * { kind: 'limit.io', target: { pid: 4242 }, params: { device: '8:0', writeBps: '1MiB' } }
 */
import { statSync } from 'node:fs';
import { cgroupDriver } from './driver.js';
import { ioLimitParams as params } from './schema.js';

/** `major:minor` of a device path (or the text itself when it already is one). */
export function deviceNumbers(device: string): string {
  if (/^\d+:\d+$/.test(device)) return device;
  const rdev = statSync(device).rdev;
  return `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;
}

export const ioLimitDriver = cgroupDriver({
  kind: 'limit.io',
  summary: 'throttle read/write bandwidth of a process on one block device',
  params,
  controller: { v1: 'blkio', v2: 'io' },
  settings: (p, v) => {
    const dev = deviceNumbers(p.device);
    if (v === 2) {
      const parts = [p.readBps && `rbps=${p.readBps}`, p.writeBps && `wbps=${p.writeBps}`].filter(Boolean);
      return [['io.max', `${dev} ${parts.join(' ')}`]];
    }
    const out: [string, string][] = [];
    if (p.readBps) out.push(['blkio.throttle.read_bps_device', `${dev} ${p.readBps}`]);
    if (p.writeBps) out.push(['blkio.throttle.write_bps_device', `${dev} ${p.writeBps}`]);
    return out;
  },
});
