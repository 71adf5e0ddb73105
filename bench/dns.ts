/**
 * DNS benchmark: queries per second and latency through turbulence's chaos DNS server (no rules, three rules that
 * do not match, one rule that rewrites every answer) against asking the upstream (dnsmasq) directly, all measured
 * in this one run. The chaos server runs in its own process. Prints the figures for bench/RESULTS.md "## DNS".
 *
 *   npx tsx bench/dns.ts [--quick] [--only pipe,none,nocache,nomatch3,ttl]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encodeMessage } from '../packages/turbulence/src/dns/wire.js';
import { startDnsmasq } from '../packages/turbulence/test/system/dns/dnsmasq.js';

const quick = process.argv.includes('--quick');
/** `--only none,pipe`: run these modes (and always the baseline). */
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : undefined;
const RUNS = quick ? 1 : 3;
const THROUGHPUT_MS = quick ? 1000 : 2000;
const LATENCY_QUERIES = quick ? 500 : 3000;
const CONCURRENCY = 16;
const NAME = 'svc.bench.test';
const children: ChildProcess[] = [];

interface Target {
  host: string;
  port: number;
  pid?: number | undefined;
  stop(): void;
}

/** CPU time (user + system) a process has used, in microseconds, from /proc (Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in clock ticks (100/s)
}

/** Context switches (voluntary + involuntary) of every thread of a process so far, from /proc (Linux). */
function contextSwitches(pid: number): number {
  let n = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) n += Number(m[1]);
  }
  return n;
}

/** Sends queries over one UDP socket with `concurrency` in flight; returns qps and per-query latencies (ms). */
async function load(at: { host: string; port: number }, concurrency: number, opts: { ms?: number; count?: number }) {
  // An IP literal needs no lookup: answer dgram's at once (the default costs a dns.lookup and a nextTick per send).
  const socket = createSocket({ type: 'udp4', lookup: (address, _family, cb) => cb(null, address, 4) });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const query = encodeMessage({ type: 'query', id: 0, flags: 0x0100, questions: [{ name: NAME, type: 'A' }] });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let nextId = 0;
  let sent = 0;
  let lost = 0;
  const started = performance.now();
  const deadline = started + (opts.ms ?? 1e9);
  const more = () => performance.now() < deadline && (opts.count === undefined || sent < opts.count);
  const send = () => {
    const id = nextId++ & 0xffff;
    const out = Buffer.from(query); // dgram sends asynchronously: each datagram needs its own bytes
    out.writeUInt16BE(id, 0);
    sentAt.set(id, performance.now());
    sent++;
    socket.send(out, at.port, at.host);
  };
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < concurrency && more()) {
        inFlight++;
        send();
      }
      if (inFlight === 0) resolve();
    };
    socket.on('message', (msg) => {
      const t = sentAt.get(msg.readUInt16BE(0));
      if (t === undefined) return;
      sentAt.delete(msg.readUInt16BE(0));
      latencies.push(performance.now() - t);
      inFlight--;
      pump();
    });
    // A lost datagram must not stall the loop: count it and free its slot.
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [id, t] of sentAt) {
        if (now - t < 500) continue;
        sentAt.delete(id);
        lost++;
        inFlight--;
      }
      pump();
    }, 100);
    pump();
    void new Promise<void>((r) => setTimeout(r, (opts.ms ?? 60_000) + 2000)).then(() => resolve());
    socket.once('close', () => clearInterval(sweep));
  });
  const seconds = (performance.now() - started) / 1000;
  socket.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { qps: latencies.length / seconds, answered: latencies.length, p50: pct(0.5), p99: pct(0.99), lost };
}

async function startChaos(upstream: string, set: string): Promise<Target> {
  const script = fileURLToPath(new URL('./dns-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, upstream, set], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const { port } = JSON.parse(line.value as string) as { port: number };
  return { host: '127.0.0.1', port, pid: child.pid, stop: () => child.stdin.end() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  // dnsmasq with a realistic TTL (it serves its hosts files with TTL 0 by default, which no cache keeps).
  const upstream = await startDnsmasq(
    { [NAME]: ['127.0.0.42'] },
    { args: ['--cache-size=1000', '--local-ttl=300', '--dns-forward-max=1000'] },
  );
  const modes: [string, string, () => Promise<Target>][] = [
    [
      'direct',
      'dnsmasq direct (baseline)',
      () => Promise.resolve({ host: upstream.host, port: upstream.port, pid: upstream.pid, stop: () => {} }),
    ],
    ['pipe', 'minimal Node UDP forwarder (reference)', () => startChaos(upstream.address, 'pipe')],
    ['none', 'turbulence, no rules (cache on, the default)', () => startChaos(upstream.address, 'none')],
    ['nocache', 'turbulence, no rules, --no-cache', () => startChaos(upstream.address, 'nocache')],
    ['nomatch3', 'turbulence, 3 rules not matching (cache on)', () => startChaos(upstream.address, 'nomatch3')],
    ['ttl', 'turbulence, ttl rule on every answer (cache on)', () => startChaos(upstream.address, 'ttl')],
  ];
  const selected = modes.filter(([key]) => key === 'direct' || only === undefined || only.includes(key));
  // Every target runs at once and the runs interleave the modes, so load from other work hits them alike.
  const targets = await Promise.all(selected.map(async ([, mode, start]) => ({ mode, target: await start() })));
  const samples = targets.map(() => ({
    qps: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    lost: 0,
    cpu: [] as number[],
    loadCpu: [] as number[],
    switches: [] as number[],
  }));
  for (const { target } of targets) await load(target, CONCURRENCY, { ms: 300 }); // warm up
  for (let r = 0; r < RUNS; r++) {
    for (const [i, { target }] of targets.entries()) {
      const cpu0 = target.pid ? cpuMicros(target.pid) : 0;
      const cs0 = target.pid ? contextSwitches(target.pid) : 0;
      const own0 = process.cpuUsage();
      const t = await load(target, CONCURRENCY, { ms: THROUGHPUT_MS });
      const own = process.cpuUsage(own0);
      const cpu = target.pid ? (cpuMicros(target.pid) - cpu0) / t.answered : NaN;
      const switches = target.pid ? (contextSwitches(target.pid) - cs0) / t.answered : NaN;
      const l = await load(target, 1, { count: LATENCY_QUERIES, ms: 30_000 });
      const s = samples[i]!;
      s.qps.push(t.qps);
      s.p50.push(l.p50);
      s.p99.push(l.p99);
      s.lost += t.lost + l.lost;
      s.cpu.push(cpu);
      s.loadCpu.push((own.user + own.system) / t.answered);
      s.switches.push(switches);
    }
  }
  for (const { target } of targets) target.stop();
  const rows = targets.map(({ mode }, i) => {
    const s = samples[i]!;
    return {
      mode,
      qps: median(s.qps),
      p50: median(s.p50),
      p99: median(s.p99),
      lost: s.lost,
      cpu: median(s.cpu),
      loadCpu: median(s.loadCpu),
      switches: median(s.switches),
    };
  });
  await upstream.stop();
  const base = rows[0]!;
  console.log(
    `\nDNS benchmark: ${RUNS} run(s), throughput ${THROUGHPUT_MS} ms at ${CONCURRENCY} in flight, latency ${LATENCY_QUERIES} sequential queries, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(
    '| path | qps (16 in flight) | × baseline | server CPU per query | server context switches per query | load generator CPU per query | p50 (1 in flight) | p99 | p99 added | lost |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.mode} | ${Math.round(r.qps)} | ${(r.qps / base.qps).toFixed(2)}× | ${r.cpu.toFixed(0)} µs | ${r.switches.toFixed(2)} | ${r.loadCpu.toFixed(0)} µs | ${r.p50.toFixed(3)} ms | ` +
        `${r.p99.toFixed(3)} ms | ${r === base ? '-' : `${(r.p99 - base.p99).toFixed(3)} ms`} | ${r.lost} |`,
    );
  }
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
