/**
 * The demo system: three replicas of an HTTP service (supervised processes), the third behind a turbulence proxy,
 * and a client with failover that serves its success ratio. Used by `turbulence demo` and `turbulence ui --demo`.
 * Everything binds loopback; `close()` stops what it started.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Supervisor } from '../supervisor/index.js';
import { startDemoClient } from './client.js';
import { createProxyServer, type ProxyServer } from '../proxy/index.js';

/** The bundled demo experiment (kill one replica, slow another; ≥ 99 % of requests succeed). */
export const DEMO_EXPERIMENT = fileURLToPath(new URL('../../demo/experiment.json', import.meta.url));
const REPLICA_JS = fileURLToPath(new URL('./replica.js', import.meta.url));
/** The replica as node arguments: the built file, or the source through tsx (tests run the sources). */
const REPLICA = existsSync(REPLICA_JS)
  ? [REPLICA_JS]
  : ['--import', 'tsx', fileURLToPath(new URL('./replica.ts', import.meta.url))];

/** A running demo system. */
export interface DemoSystem {
  supervisor: Supervisor;
  replicas: { name: string; url: string; pid: number }[];
  proxy: ProxyServer;
  /** The proxied replica's address through the proxy. */
  via: string;
  client: Awaited<ReturnType<typeof startDemoClient>>;
  /** The environment the demo experiment reads (client URL, victim, proxy API, slow replica). */
  env: Record<string, string>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the demo system; `say` gets one line per step.
 *
 * @example
 * const demo = await startDemoSystem({ seed: 42 });
 * Object.assign(process.env, demo.env);
 * await demo.close();
 */
export async function startDemoSystem(options: { seed: number; say?: (line: string) => void }): Promise<DemoSystem> {
  const say = options.say ?? (() => {});
  const supervisor = new Supervisor();
  let proxy: ProxyServer | undefined;
  try {
    const replicas: DemoSystem['replicas'] = [];
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const name = `demo-replica-${i}`;
      const rec = await supervisor.start({
        name,
        command: process.execPath,
        args: [...REPLICA, name, String(port)],
        readiness: { tcp: { host: '127.0.0.1', port } },
      });
      replicas.push({ name, url: `http://127.0.0.1:${port}`, pid: rec.pid });
      say(`  started ${name} on 127.0.0.1:${port} (pid ${rec.pid})`);
    }
    // The third replica is reached through a Toxiproxy-compatible proxy, so latency can be added to it alone.
    const slow = replicas[2]!;
    proxy = await createProxyServer({ seed: options.seed });
    const proxied = await proxy.createProxy({ name: slow.name, listen: '127.0.0.1:0', upstream: slow.url.slice(7) });
    const via = `http://${proxied.listen}`;
    say(`  started a turbulence proxy (API ${proxy.url}): ${slow.name} is reached through ${via}`);
    const client = await startDemoClient({
      replicas: [replicas[0]!.url, replicas[1]!.url, via],
      rate: 40,
      windowMs: 3000,
    });
    say(`  started the client: 40 requests/s across the replicas, stats at ${client.url}/stats`);
    const victim = replicas[1]!;
    const env = {
      TURBULENCE_DEMO_CLIENT_URL: client.url,
      TURBULENCE_DEMO_VICTIM: victim.name,
      TURBULENCE_DEMO_VICTIM_URL: victim.url,
      TURBULENCE_DEMO_PROXY_API: proxy.url,
      TURBULENCE_DEMO_SLOW_REPLICA: slow.name,
    };
    const p = proxy;
    return {
      supervisor,
      replicas,
      proxy: p,
      via,
      client,
      env,
      async close() {
        await client.close();
        await p.close();
        await supervisor.stopAll();
      },
    };
  } catch (err) {
    await proxy?.close();
    await supervisor.stopAll();
    throw err;
  }
}
