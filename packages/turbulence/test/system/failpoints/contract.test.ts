/**
 * `failpoint.set` passes the shared driver contract against real processes, observed from outside: the service
 * answers 500 while the failpoint (or the rule) is in effect.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverContract } from '../../support/driver-contract.js';
import type { ContractTarget } from '../../support/driver-contract.js';
import { eventually } from '../../support/eventually.js';

// Answers 200 with the content of DATA_FILE, or 500 with the error code when the failpoint or a rule fails it.
const SERVICE = `
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { failpoint } from '@turbulence/failpoints';
const server = createServer(async (req, res) => {
  try {
    failpoint('svc.handle');
    res.end(await readFile(process.env.DATA_FILE, 'utf8'));
  } catch (err) {
    res.writeHead(500).end(String(err.code));
  }
});
// Written to a temporary name and renamed, so the test never reads a half-written (empty) port file.
server.listen(0, '127.0.0.1', () => {
  writeFileSync(process.env.PORT_FILE + '.tmp', String(server.address().port));
  renameSync(process.env.PORT_FILE + '.tmp', process.env.PORT_FILE);
});`;

async function waitFor(file: string): Promise<void> {
  if (!(await eventually(() => existsSync(file), 10_000))) throw new Error(`${file} never appeared`);
}

async function liveService(params: object): Promise<ContractTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'fp-contract-'));
  const files = { announce: join(dir, 'a.json'), port: join(dir, 'port'), data: join(dir, 'data.txt') };
  writeFileSync(files.data, 'fine');
  const child = spawn(
    process.execPath,
    ['--import', '@turbulence/failpoints/register', '--input-type=module', '-e', SERVICE],
    {
      env: {
        ...process.env,
        PORT_FILE: files.port,
        DATA_FILE: files.data,
        TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
        TURBULENCE_FAILPOINTS_ANNOUNCE: files.announce,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(files.port);
    await waitFor(files.announce);
  } catch (err) {
    await cleanup();
    throw err;
  }
  const url = `http://127.0.0.1:${readFileSync(files.port, 'utf8')}/`;
  return {
    query: { announce: files.announce },
    params: params as ContractTarget['params'],
    inEffect: async () => (await fetch(url)).status === 500,
    cleanup,
  };
}

driverContract({
  kind: 'failpoint.set',
  setup: () => liveService({ name: 'svc.handle', actions: 'error(EIO)' }),
});

driverContract({
  kind: 'failpoint.set',
  setup: () =>
    liveService({
      rule: { name: 'disk', target: 'fs.promises.readFile', when: { path: '**/data.txt' }, action: 'error(EIO)' },
    }),
});
