/**
 * `turbulence dns run`: unmodified programs (getent, dig without @server, Node's dns.lookup) started under a chaos
 * DNS server of their own see its rules; exit codes and signals pass through; nothing is left behind, also when
 * turbulence is SIGKILLed; the machine's /etc/resolv.conf is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgv } from '../../support/cli.js';
import { requireSystem } from '../../support/system.js';
import { pidsWithMarker } from '../lab/helpers.js';
import { startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('root', 'dnsmasq', 'dig');
const machineResolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';

interface Run {
  pid: number;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

describe.skipIf(sys.skip)('turbulence dns run', () => {
  let upstream: Dnsmasq;
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-dns-run-'));
  /** TMPDIR of every turbulence started here: where its generated resolv.conf goes (and must not stay). */
  const tmp = join(dir, 'tmp');
  const rules = join(dir, 'rules.yaml');

  const started: ChildProcess[] = [];
  const start = (args: string[]): Run => {
    const child = spawn(process.execPath, cliArgv(['dns', 'run', ...args]).slice(1), {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    started.push(child);
    return { pid: child.pid as number, out: () => out, err: () => err, exit };
  };
  /** Generated resolv.conf directories still in TMPDIR (tsx keeps its own cache there too). */
  const leftovers = () => readdirSync(tmp).filter((f) => f.startsWith('turbulence-resolv-'));
  /** The program's processes: those with the marker, except turbulence itself (it has it in its argv). */
  const programs = (marker: string, run: Run) => pidsWithMarker(marker).filter((p) => p !== run.pid);
  const until = async (what: () => boolean, ms = 20_000): Promise<void> => {
    for (const t0 = Date.now(); !what() && Date.now() - t0 < ms;) await sleep(50);
  };

  beforeAll(async () => {
    upstream = await startDnsmasq({ 'svc.example.test': ['127.0.0.21'], 'other.example.test': ['127.0.0.22'] });
    writeFileSync(
      rules,
      '- { name: gone.example.test, action: nxdomain }\n' +
        '- { name: svc.example.test, action: { type: answer, records: [{ type: A, data: 127.0.0.99 }] } }\n',
    );
    writeFileSync(join(dir, 'probe.sh'), PROBE);
    rmSync(tmp, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(tmp));
  });
  afterAll(async () => {
    // A failed assertion may leave a run going: SIGKILL takes its program along (parent-death signal).
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await upstream?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // One script, three resolvers that read /etc/resolv.conf: glibc (getent), dig (no @server) and Node.
  const PROBE = `
for n in "$@"; do
  printf '%s getent=%s dig=%s node=%s\\n' "$n" \\
    "$(getent ahostsv4 "$n" | awk 'NR==1{print $1}')" \\
    "$(dig +tries=1 +time=3 "$n" | sed -n 's/.*status: \\([A-Z]*\\).*/\\1/p')" \\
    "$(${process.execPath} -e "require('dns').lookup(process.argv[1],{family:4},(e,a)=>console.log(e?e.code:a))" "$n")"
done
exit 7
`;

  it('shows the upstream answer without a rule and each rule\u2019s effect with one, and passes the exit code', async () => {
    const plain = start(['--upstream', upstream.address, '--', 'sh', join(dir, 'probe.sh'), 'svc.example.test']);
    expect(await plain.exit, plain.err()).toBe(7);
    expect(plain.out()).toBe('svc.example.test getent=127.0.0.21 dig=NOERROR node=127.0.0.21\n');

    const names = ['svc.example.test', 'gone.example.test', 'other.example.test'];
    const chaos = start([
      '--upstream',
      upstream.address,
      '--rules',
      rules,
      '--',
      'sh',
      join(dir, 'probe.sh'),
      ...names,
    ]);
    expect(await chaos.exit, chaos.err()).toBe(7);
    expect(chaos.out().split('\n')).toEqual([
      'svc.example.test getent=127.0.0.99 dig=NOERROR node=127.0.0.99',
      'gone.example.test getent= dig=NXDOMAIN node=ENOTFOUND',
      'other.example.test getent=127.0.0.22 dig=NOERROR node=127.0.0.22',
      '',
    ]);
    expect(chaos.err()).toMatch(
      /^turbulence dns on 127\.53\.\d+\.\d+:53 → 127\.\d+\.\d+\.\d+:\d+ \(seed \d+, 2 rules\)/,
    );
    expect(leftovers()).toEqual([]);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(machineResolvConf);
  });

  it('forwards SIGTERM to the program and exits with its code', async () => {
    const marker = `tbrun${process.pid}x${Date.now()}`;
    const script = "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done";
    const run = start(['--upstream', upstream.address, '--', 'sh', '-c', script, marker]);
    await until(() => run.out().includes('ready'));
    expect(programs(marker, run)).toHaveLength(1);
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exit).toBe(42);
    await until(() => programs(marker, run).length === 0, 3000);
    expect(programs(marker, run)).toEqual([]);
  });

  it('takes the program down and leaves no file behind when turbulence itself is SIGKILLed', async () => {
    const marker = `${600_000 + Math.floor(Math.random() * 300_000)}`;
    const run = start(['--upstream', upstream.address, '--', 'sh', '-c', `echo ready; exec sleep ${marker}`]);
    await until(() => run.out().includes('ready'));
    expect(programs(`sleep ${marker}`, run)).toHaveLength(1);
    expect(leftovers()).toEqual([]); // the generated resolv.conf is removed as soon as it is mounted
    process.kill(run.pid, 'SIGKILL');
    await run.exit;
    await until(() => programs(`sleep ${marker}`, run).length === 0, 3000);
    expect(programs(`sleep ${marker}`, run)).toEqual([]);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(machineResolvConf);
  });

  it('rejects a port resolv.conf cannot name, and reports a missing command as 127', async () => {
    const port = start(['--listen', '127.0.0.153:5353', '--upstream', upstream.address, '--', 'true']);
    expect(await port.exit).toBe(2);
    expect(port.err()).toContain('not port 53');
    const missing = start(['--upstream', upstream.address, '--', 'no-such-command-xyz']);
    expect(await missing.exit).toBe(127);
    expect(leftovers()).toEqual([]);
  });
});
