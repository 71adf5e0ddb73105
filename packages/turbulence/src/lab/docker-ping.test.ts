import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEndpoint, dockerPing } from './docker-ping.js';

// No dockerd runs on the test machines: a stand-in answers /_ping the way the daemon does (200 "OK", Api-Version).
const dir = mkdtempSync(join(tmpdir(), 'tb-docker-'));
const socket = join(dir, 'docker.sock');
let daemon: Server;
let pinged = 0;
beforeAll(async () => {
  daemon = createServer((req, res) => {
    if (req.url === '/_ping') pinged++;
    res.writeHead(req.url === '/_ping' ? 200 : 404, { 'api-version': '1.47' }).end('OK');
  });
  await new Promise<void>((r) => daemon.listen(socket, r));
});
afterAll(async () => {
  await new Promise<void>((r) => daemon.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('dockerPing', () => {
  it('reads DOCKER_HOST like the docker CLI, defaulting to /var/run/docker.sock', () => {
    expect(dockerEndpoint(undefined)).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerEndpoint('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(dockerEndpoint('tcp://10.0.0.5:2376')).toEqual({ host: '10.0.0.5', port: 2376 });
    expect(dockerEndpoint('ssh://me@host')).toMatchObject({ unsupported: expect.stringMatching(/ssh:\/\//) });
  });

  it('is ok when the daemon answers /_ping, with its API version', async () => {
    const before = pinged;
    expect(await dockerPing(`unix://${socket}`)).toEqual({
      ok: true,
      detail: `daemon answers at unix://${socket} (API 1.47)`,
    });
    expect(pinged).toBe(before + 1);
  });

  it('says no daemon answers when nothing listens on the socket', async () => {
    const r = await dockerPing(`unix://${join(dir, 'missing.sock')}`);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/no Docker daemon answers at unix:\/\/.*missing\.sock: .*ENOENT/);
  });

  it('says so when a TCP endpoint refuses', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await dockerPing(`tcp://127.0.0.1:${port}`);
    expect(r.ok ? '' : r.reason).toMatch(/ECONNREFUSED/);
  });
});
