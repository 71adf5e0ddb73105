/**
 * `npm run kube-fake -- --kubeconfig FILE [--port P] [--host H] [--seed default|empty] [--no-controller]`:
 * starts the Kubernetes API fake on loopback, writes a kubeconfig for it to FILE (mode 0600), prints the URL and
 * runs until SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startKubeFake } from './index.js';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${v}" is not a port; give a number from 0 to 65535 (0: any free port)`);
  return n;
};
const seed = (v: string): 'default' | 'empty' => {
  if (v !== 'default' && v !== 'empty') throw new InvalidArgumentError(`"${v}" is not a seed; use default or empty`);
  return v;
};

const program = new Command('kube-fake')
  .description(
    'A FAKE Kubernetes API server for tests and trying turbulence without a cluster (no containers run).\n' +
      'Seeds 3 Ready nodes node-1..3 and a Deployment web (3 pods labelled app=web, turbulence.io/enabled=true).',
  )
  .requiredOption('--kubeconfig <file>', 'write a kubeconfig for the fake to this file (mode 0600)')
  .option('--port <port>', 'port to listen on (0: any free port)', port, 0)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--seed <seed>', 'initial cluster: default or empty', seed, 'default' as const)
  .option('--no-controller', 'do not run the reconciling controller')
  .showHelpAfterError();

const opts = program
  .parse()
  .opts<{ kubeconfig: string; port: number; host: string; seed: 'default' | 'empty'; controller: boolean }>();
const fake = await startKubeFake({ host: opts.host, port: opts.port, seed: opts.seed, controller: opts.controller });
await fake.writeKubeconfig(opts.kubeconfig);
console.log(`kube-fake listening on ${fake.url}`);
console.log(`kubeconfig written to ${opts.kubeconfig}; try: kubectl --kubeconfig ${opts.kubeconfig} get pods`);
const stop = (): void => {
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
