/**
 * The demo system for `examples/monkey/demo.yaml`: three HTTP replicas on 127.0.0.1:18181-18183 under turbulence's
 * Supervisor (restarted when they die), running until Ctrl-C. Start it, then let the monkey loose on it:
 *
 *   npx tsx examples/monkey/demo-system.ts
 *   npx turbulence monkey run examples/monkey/demo.yaml --clock-speed 3600 --days 3   # three days in ~70 s
 */
const { Supervisor } = await import('../../packages/turbulence/src/index.js');

const sup = new Supervisor();
for (let i = 1; i <= 3; i++) {
  const name = `monkey-demo-replica-${i}`;
  const port = 18180 + i;
  const server = `require('http').createServer((q, s) => s.end('${name} ok\\n')).listen(${port}, '127.0.0.1')`;
  const rec = await sup.start({
    name,
    command: process.execPath,
    args: ['-e', server, name],
    readiness: { http: `http://127.0.0.1:${port}/` },
    restart: 'always',
  });
  console.log(`started ${name} (pid ${rec.pid}) on http://127.0.0.1:${port}/`);
}
console.log('demo system up; Ctrl-C stops it');
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
await sup.stopAll();
