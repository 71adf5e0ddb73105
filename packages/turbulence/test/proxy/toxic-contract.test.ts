/**
 * The toxic contract: every toxic of the registry (`src/proxy/toxics/index.ts`), through a real proxy server, its
 * HTTP API and real sockets on loopback. For each toxic:
 *
 *   attributes   the API fills in the Toxiproxy attribute names and defaults (`../shared/spec/toxiproxy-api.md` §7)
 *   toxicity     0 → the connection behaves as without the toxic; 1 → the effect shows on real bytes
 *   removal      removing the toxic while it holds data loses no byte and keeps their order
 *   no leaks     once the connection closes, no timer and no socket is left behind
 *   replay       the same seed selects the same connections (toxicity 0.5)
 *
 * A meta-test fails when a toxic is registered without a case here.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/index.js';
import { builtinToxics } from '../../src/proxy/toxics/index.js';
import { eventually } from '../support/eventually.js';
import { backTo, resources } from '../support/resources.js';
import { cleanup, closed, dial, echoServer, portOf, proxyServer, readBytes, tcpServer } from './helpers.js';

afterEach(cleanup);

/** A toxic whose Toxiproxy default is refused (slicer's `average_size: 0` would never deliver). */
interface Refused {
  refused: RegExp;
  given: Record<string, number>;
  filled: Record<string, number>;
}

/** How one toxic shows, and how it can hold data without destroying it. */
interface ToxicCase {
  /** The attributes the API returns for `attributes: {}` (Toxiproxy's defaults), or why `{}` is refused. */
  defaults: Record<string, number> | Refused;
  /** Attributes that make the effect quick to see. */
  effect: Record<string, number>;
  /** Upstream kind: an echo server, or one that sends `x` and closes at once (for close toxics). */
  upstream?: 'echo' | 'send-and-close';
  /** True when one fresh connection through the proxy shows the effect. */
  fired: (port: number) => Promise<boolean>;
  /** Attributes under which the toxic holds bytes without destroying them (removal must deliver them all). */
  hold: Record<string, number>;
  /** Why live removal cannot deliver every byte (the toxic destroys data by design), instead of that test. */
  destroys?: string;
  /** Why the toxic has no visible effect (noop), instead of `fired`. */
  noEffect?: string;
}

/** Connects, sends `bytes` bytes, and reads the echo: the elapsed ms, the chunks, and how it ended. */
async function echo(port: number, bytes = 1, timeoutMs = 1500) {
  const start = performance.now();
  let socket: Socket;
  try {
    socket = await dial(port);
  } catch {
    return { ok: false, ms: performance.now() - start, chunks: 0, got: 0, error: 'connect' };
  }
  let chunks = 0;
  let got = 0;
  socket.on('data', (d: Buffer) => ((chunks += 1), (got += d.length)));
  const end = closed(socket, timeoutMs + 1000).catch(() => ({ error: 'open', ms: 0 }));
  socket.write(Buffer.alloc(bytes, 7));
  const ok = await eventually(() => got >= bytes || socket.destroyed, timeoutMs, 5);
  const ms = performance.now() - start;
  socket.destroy();
  const { error } = await end;
  return { ok: ok && got >= bytes, ms, chunks, got, error };
}

/** Time from connecting to the close of a connection whose upstream sends `x` and closes. */
async function closeAfter(port: number): Promise<number> {
  const start = performance.now();
  const socket = await dial(port);
  await closed(socket, 5000);
  return performance.now() - start;
}

const CASES: Record<string, ToxicCase> = {
  latency: {
    defaults: { latency: 0, jitter: 0 },
    effect: { latency: 600 },
    fired: async (port) => (await echo(port)).ms >= 580,
    hold: { latency: 300 },
  },
  bandwidth: {
    defaults: { rate: 0 },
    effect: { rate: 20 }, // KB/s: 16 KB take 800 ms
    fired: async (port) => (await echo(port, 16_000, 3000)).ms >= 700,
    hold: { rate: 1 },
  },
  slow_close: {
    defaults: { delay: 0 },
    effect: { delay: 700 },
    upstream: 'send-and-close',
    fired: async (port) => (await closeAfter(port)) >= 680,
    hold: { delay: 300 },
  },
  timeout: {
    defaults: { timeout: 0 },
    effect: { timeout: 200 },
    fired: async (port) => !(await echo(port)).ok,
    hold: { timeout: 0 },
    destroys: 'drops what it reads and removal closes the connections it dropped data on, as Toxiproxy (PR #168)',
  },
  reset_peer: {
    defaults: { timeout: 0 },
    effect: { timeout: 50 },
    fired: async (port) => (await echo(port, 1, 400)).error === 'ECONNRESET',
    hold: { timeout: 60_000 },
    destroys: 'drops the first data and resets the connection by design',
  },
  slicer: {
    defaults: {
      refused: /average_size/,
      given: { average_size: 10 },
      filled: { average_size: 10, size_variation: 0, delay: 0 },
    },
    effect: { average_size: 10, delay: 2000 },
    fired: async (port) => (await echo(port, 400, 3000)).chunks >= 10,
    hold: { average_size: 10, delay: 20_000 },
  },
  limit_data: {
    defaults: { bytes: 0 },
    effect: { bytes: 10 },
    fired: async (port) => (await echo(port, 100)).got < 100,
    hold: { bytes: 1_000_000 },
  },
  noop: {
    defaults: {},
    effect: {},
    fired: async (port) => !(await echo(port)).ok,
    hold: {},
    noEffect: 'noop passes every byte unchanged by design',
  },
  packet_loss: {
    defaults: { loss_rate: 0.1, correlation: 0 },
    effect: { loss_rate: 1 },
    fired: async (port) => !(await echo(port, 1, 1500)).ok,
    hold: { loss_rate: 0 },
  },
  limit_time: {
    defaults: { time: 0 },
    effect: { time: 100 },
    fired: async (port) =>
      (await echo(port, 1, 200).then(() => echo(port, 1, 50))).ms < 1000 && (await limitTimeClosed(port)),
    hold: { time: 60_000 },
  },
  refuse: {
    defaults: {},
    effect: {},
    fired: async (port) => !(await echo(port, 1, 1500)).ok,
    hold: {},
    destroys: 'refuses new connections: there is no connection to hold data on',
  },
  connect_delay: {
    defaults: { delay: 0 },
    effect: { delay: 700 },
    fired: async (port) => (await echo(port)).ms >= 680,
    hold: { delay: 0 },
  },
};

/** limit_time: once data flows (an echo), the connection closes by itself after `time` ms. */
async function limitTimeClosed(port: number): Promise<boolean> {
  const socket = await dial(port);
  socket.write('x');
  const end = await closed(socket, 1500).catch(() => undefined);
  return end !== undefined;
}

/** A proxy `db` in front of the case's upstream, with its API client. */
async function setup(c: ToxicCase, seed = 42) {
  const upstream = c.upstream === 'send-and-close' ? await tcpServer((s) => s.end('x')) : await echoServer();
  const server = await proxyServer({ seed });
  const api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream.port}` });
  return { server, api, port: portOf(proxy.listen) };
}

describe('toxic contract', () => {
  it('has a case for every registered byte toxic (HTTP and UDP toxics: their own contract files)', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      builtinToxics
        .filter((t) => t.protocol === undefined)
        .map((t) => t.type)
        .sort(),
    );
  });

  describe.each(Object.entries(CASES))('%s', (type, c) => {
    it('takes the Toxiproxy attributes and fills in their defaults', async () => {
      const { api } = await setup(c);
      if ('refused' in c.defaults) {
        const d = c.defaults as Refused;
        await expect(api.addToxic('db', { name: 'd', type, attributes: {} })).rejects.toThrow(d.refused);
        const t = await api.addToxic('db', { name: 'd', type, attributes: d.given });
        expect(t.attributes).toEqual(d.filled);
      } else {
        const t = await api.addToxic('db', { name: 'd', type, attributes: {} });
        expect(t).toMatchObject({ name: 'd', type, stream: 'downstream', toxicity: 1 });
        expect(t.attributes).toEqual(c.defaults);
      }
    });

    it.skipIf(Boolean(c.noEffect))('toxicity 0 has no effect; toxicity 1 shows on real bytes', async () => {
      const { api, port } = await setup(c);
      expect(await c.fired(port)).toBe(false);
      await api.addToxic('db', { name: 't', type, toxicity: 0, attributes: c.effect });
      expect(await c.fired(port)).toBe(false);
      await api.updateToxic('db', 't', { toxicity: 1, attributes: c.effect });
      expect(await c.fired(port)).toBe(true);
    });

    if (c.noEffect)
      it(`passes bytes unchanged (${c.noEffect})`, async () => {
        const { api, port } = await setup(c);
        await api.addToxic('db', { name: 't', type, attributes: c.effect });
        expect(await c.fired(port)).toBe(false);
      });

    if (c.destroys) it.skip(`live removal — skipped: ${c.destroys}`, () => undefined);
    it.skipIf(Boolean(c.destroys))('loses no byte when removed while it holds data', async () => {
      const { api, port } = await setup({ ...c, upstream: 'echo' });
      await api.addToxic('db', { name: 'h', type, attributes: c.hold });
      const socket = await dial(port);
      const sent = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
      const reply = readBytes(socket, sent.length * 2, 10_000);
      socket.write(sent.subarray(0, 1500));
      await new Promise((r) => setTimeout(r, 100));
      await api.removeToxic('db', 'h');
      socket.write(sent.subarray(1500));
      socket.write(sent);
      const { data } = await reply;
      expect(data.equals(Buffer.concat([sent, sent]))).toBe(true);
    });

    it('leaves no timer and no socket behind once the connection closes', async () => {
      const { api, port } = await setup(c);
      await api.addToxic('db', { name: 'l', type, attributes: c.effect });
      const before = resources();
      await c.fired(port);
      await c.fired(port);
      expect(await backTo(before)).toBe(true);
    });

    it('replays its per-connection choices from the seed', async () => {
      const decisions = async (seed: number) => {
        const { api, port } = await setup(c, seed);
        await api.addToxic('db', { name: 'r', type, toxicity: 0.5, attributes: c.hold });
        const sockets = await Promise.all(Array.from({ length: 8 }, () => dial(port).catch(() => undefined)));
        let list: Awaited<ReturnType<typeof api.connections>> = [];
        await eventually(async () => (list = await api.connections('db')).length >= 8, 2000);
        for (const s of sockets) s?.destroy();
        return list.sort((a, b) => a.id - b.id).map((x) => x.toxics[0]?.selected);
      };
      expect(await decisions(11)).toEqual(await decisions(11));
    });
  });
});
