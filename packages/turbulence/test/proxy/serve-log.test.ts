/**
 * `turbulence proxy serve --log-format json`: a real server process whose every stdout line is a JSON log record,
 * with one record per proxy event (source and type of the event envelope); the first SIGINT stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/index.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/turbulence.js');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('proxy serve logs', () => {
  it('emits parseable JSON lines with source and type for each event under --log-format json', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'proxy', 'serve', '--port', '0', '--seed', '1', '--log-format', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const lines = () => out.split('\n').filter(Boolean);
    await until(() => lines().length >= 1);
    const ready = JSON.parse(lines()[0]!) as { msg: string; url: string };
    expect(ready.msg).toMatch(/^turbulence proxy API on http:\/\/127\.0\.0\.1:\d+/);

    const api = new ProxyClient(ready.url);
    await api.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    await api.addToxic('db', { type: 'latency', attributes: { latency: 10 } });
    await until(() => lines().length >= 3);
    child.kill('SIGINT');
    expect(await exited).toBe(0);

    const records = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = records.filter((r) => r.source !== undefined);
    expect(events.map((r) => [r.source, r.type])).toEqual([
      ['proxy', 'proxy.created'],
      ['proxy', 'proxy.toxic.added'],
    ]);
    expect(events[1]).toMatchObject({ proxy: 'db', toxic: { type: 'latency' }, level: 30 });
    for (const r of events) expect(typeof r.at).toBe('string');
  });
});
