import { describe, expect, it } from 'vitest';
import { IFNAME_MAX, hostNetns, rootLinkName, serviceProcessName, switchNetns } from './names.js';

describe('lab names', () => {
  it('keeps lab x-y host z apart from lab x host y-z', () => {
    expect(hostNetns('x-y', 'z')).not.toBe(hostNetns('x', 'y-z'));
    expect(serviceProcessName('x-y', 'z', 's')).not.toBe(serviceProcessName('x', 'y-z', 's'));
  });

  it('never gives a switch the name of a host namespace', () => {
    // a host named "sw" in lab "a" against the switch of lab "a" (and of lab "a-sw")
    const hosts = [hostNetns('a', 'sw'), hostNetns('a-sw', 'x')];
    expect(hosts).not.toContain(switchNetns('a'));
    expect(hosts).not.toContain(switchNetns('a-sw'));
  });

  it('stays within the kernel limits for the longest names', () => {
    const long = 'a'.repeat(15);
    expect(hostNetns(long, long).length).toBeLessThanOrEqual(255);
    expect(rootLinkName(long).length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(serviceProcessName(long, long, long)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
  });

  it('gives different labs different host-access links', () => {
    expect(rootLinkName('x-y')).not.toBe(rootLinkName('x'));
  });
});
