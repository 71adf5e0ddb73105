/**
 * Driver contract of the `config` family: real files in a temporary directory, observed by reading them (sha256
 * against the original bytes, mode), never through the driver. Revert must give back the exact bytes, also after
 * the runner is SIGKILLed and `turbulence recover` runs.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll } from 'vitest';
import { driverContract, type ContractTarget } from '../support/driver-contract.js';

// Backups live in TURBULENCE_HOME: this file's own, shared by the in-process driver and the spawned runner and CLI.
const home = mkdtempSync(join(tmpdir(), 'tb-config-home-'));
process.env.TURBULENCE_HOME = home;
afterAll(() => rmSync(home, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A config file with `text`, mode 0640; the fault is in effect while its bytes differ from the original. */
function configFile(
  name: string,
  text: string,
  params: ContractTarget['params'],
  extra?: () => boolean,
): () => Promise<ContractTarget> {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-config-'));
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, 0o640);
    const original = sha(readFileSync(path));
    return Promise.resolve({
      query: { path },
      ...(params ? { params } : {}),
      inEffect: () => Promise.resolve(sha(readFileSync(path)) !== original && (extra?.() ?? true)),
      leftovers: () => {
        const left = readdirSync(join(home, 'config-backups'), { withFileTypes: true }).map((e) => `backup ${e.name}`);
        const mode = statSync(path).mode & 0o777;
        return Promise.resolve(mode === 0o640 ? left : [...left, `mode ${mode.toString(8)}`]);
      },
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  };
}

const YAML = `# service settings
server:
  # the port clients use
  port: 8080   # keep in sync with the proxy
  hosts: [a, b]

database:
  url: "postgres://db/app"  # primary
`;

let yamlPath = '';
driverContract({
  kind: 'config.set',
  variant: 'YAML with comments',
  setup: async () => {
    const t = await configFile('app.yaml', YAML, { key: 'server.port', value: 9999 })();
    yamlPath = t.query.path as string;
    const inEffect = t.inEffect;
    // In effect = the bytes differ AND a YAML parser reads the new port.
    t.inEffect = async () =>
      (await inEffect()) &&
      (parseYaml(readFileSync(yamlPath, 'utf8')) as { server: { port: number } }).server.port === 9999;
    return t;
  },
});

driverContract({
  kind: 'config.delete',
  variant: 'JSON',
  setup: configFile('app.json', '{\n    "server": {"port": 8080, "tls": true},\n    "debug": false\n}\n', {
    key: 'server.tls',
  }),
});

driverContract({
  kind: 'config.corrupt',
  variant: 'TOML syntax',
  setup: configFile('app.toml', '# toml\n[server]\nport = 8080\n', { mode: 'syntax' }),
});
