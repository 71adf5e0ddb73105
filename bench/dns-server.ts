/**
 * Child process of bench/dns.ts: a chaos DNS server in front of the given upstream, with the named rule set.
 * Prints `{"port": N}` once listening; exits when stdin closes.
 *
 *   node --import tsx bench/dns-server.ts UPSTREAM none|nocache|nomatch3|ttl|pipe
 *
 * `nocache` is `none` with the answer cache off (`cache: false`, `--no-cache`); every other set uses the default.
 */
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type * as DnsLib from '../packages/turbulence/src/dns/index.js';
import { fileURLToPath } from 'node:url';

// The compiled package when it is built (what users run), else the sources through tsx (whose keepNames helpers
// add a few microseconds per query).
const dist = fileURLToPath(new URL('../packages/turbulence/dist/dns/index.js', import.meta.url));
const lib = (await import(existsSync(dist) ? dist : '../packages/turbulence/src/dns/index.js')) as typeof DnsLib;
const { createDnsServer } = lib;

const [upstream = '', set = 'none'] = process.argv.slice(2);
const RULES: Record<string, unknown[]> = {
  none: [],
  nocache: [],
  // Three rules that never match the benchmark's name: the cost of evaluating rules.
  nomatch3: [
    { name: 'other.test', action: 'nxdomain' },
    { name: '*.elsewhere.test', action: 'delay(100)' },
    { name: '/^api-\\d+\\./', action: 'servfail' },
  ],
  // One rule that rewrites every answer: decode, rewrite, compress, encode.
  ttl: [{ action: 'ttl(5)' }],
};
if (set === 'pipe') await minimalForwarder(upstream);
else {
  const server = createDnsServer({
    listen: '127.0.0.1:0',
    upstream,
    rules: RULES[set] ?? [],
    seed: 1,
    cache: set !== 'nocache',
  });
  const { dns } = await server.start();
  process.stdout.write(`${JSON.stringify({ port: dns.port, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

/** The least a Node UDP forwarder can do: relay datagrams with an id map, no parsing, no rules, no TCP. */
async function minimalForwarder(to: string): Promise<void> {
  const [host = '', port = '0'] = to.split(':');
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  const pending = new Map<number, { id: number; port: number; address: string }>();
  let next = 0;
  front.on('message', (msg, rinfo) => {
    const id = next++ & 0xffff;
    pending.set(id, { id: msg.readUInt16BE(0), port: rinfo.port, address: rinfo.address });
    msg.writeUInt16BE(id, 0);
    back.send(msg);
  });
  back.on('message', (msg) => {
    const p = pending.get(msg.readUInt16BE(0));
    if (!p) return;
    pending.delete(msg.readUInt16BE(0));
    msg.writeUInt16BE(p.id, 0);
    front.send(msg, p.port, p.address);
  });
  await new Promise<void>((r) => back.connect(Number(port), host, r));
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ port: front.address().port, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
