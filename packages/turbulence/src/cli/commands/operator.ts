/**
 * `turbulence operator`: runs LitmusChaos ChaosEngines applied to the cluster, as Litmus's chaos operator does
 * (see `experiment/formats/litmus-operator.ts`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { runOperator } from '../../experiment/formats/litmus-operator.js';
import { kubeClient } from '../../os/kube.js';
import { parseDurationFlag } from '../parse.js';
import { trapInterrupts } from '../signals.js';
import { turbulenceHome } from '../../os/home.js';
import { writeFileAtomic } from '../../os/atomic.js';

type Obj = Record<string, unknown>;

/** Every ChaosExperiment under a ChaosHub folder (`<fault>/fault.yaml`, `faults/kubernetes/<fault>/fault.yaml`). */
function hubDefinitions(hub: string): { value: Obj; file: string }[] {
  const out: { value: Obj; file: string }[] = [];
  for (const base of [hub, join(hub, 'faults', 'kubernetes')]) {
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base).sort()) {
      const file = join(base, dir, 'fault.yaml');
      if (!existsSync(file) || statSync(file).size > 1024 * 1024) continue;
      for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const v = (Array.isArray(d) ? undefined : d.toJS()) as Obj | undefined;
        if (v?.kind === 'ChaosExperiment') out.push({ value: v, file });
      }
    }
  }
  return out;
}

/** Registers `turbulence operator`. */
export function register(program: Command): void {
  program
    .command('operator')
    .description('run the LitmusChaos ChaosEngines applied to the cluster, as the Litmus chaos operator does')
    .option('-n, --namespace <ns>', "namespace to watch (default: the kubeconfig context's)")
    .option('--hub <dir>', 'ChaosHub folder for ChaosExperiments the namespace does not have')
    .option('--interval <duration>', 'time between two looks at the engines', '2s')
    .option('--once', 'run the pending engines once, then exit (for a Job or CI)')
    .addHelpText(
      'after',
      `
Each ChaosEngine with engineState: active and no status.engineStatus yet is run once, with its ChaosExperiments
from the same namespace (else from --hub): the same translation, runner, ledger and revert as \`turbulence run\`.
Its status becomes initialized, then completed (or stopped), with experiments[].verdict; one ChaosResult
<engine>-<fault> per fault holds the verdict, probeSuccessPercentage, failStep, probe statuses and history.
Set engineState: stop on a running engine to stop it: its faults are reverted and its verdict is Stopped.

Needs the Litmus CRDs: Litmus's own, or deploy/kubernetes/litmus-crds.yaml. See docs/litmus.md.

Examples:
  $ kubectl apply -f deploy/kubernetes/litmus-crds.yaml
  $ kubectl apply -f fault.yaml -f engine.yaml
  $ turbulence operator --namespace default
  $ turbulence operator --once --hub ./chaos-charts/faults/kubernetes`,
    )
    .action(async (flags: { namespace?: string; hub?: string; interval: string; once?: boolean }) => {
      const intervalMs = parseDurationFlag('--interval', flags.interval);
      const k = kubeClient();
      const namespace = flags.namespace ?? k.defaultNamespace;
      const interrupts = trapInterrupts();
      try {
        await runOperator({
          cluster: k,
          namespace,
          ...(flags.hub ? { hubDefinitions: hubDefinitions(flags.hub) } : {}),
          intervalMs,
          once: flags.once === true,
          signal: interrupts.soft,
          log: (line) => process.stdout.write(`${line}\n`),
          // One journal per engine run, as `turbulence run` writes one: $TURBULENCE_HOME/operator/<ns>-<engine>-<time>.json
          onJournal: (engine, journal) => {
            const file = join(turbulenceHome(), 'operator', `${namespace}-${engine}-${Date.now()}.json`);
            void writeFileAtomic(file, `${JSON.stringify(journal, null, 2)}\n`, 0o600).then(
              () => process.stdout.write(`${engine}: journal ${file}\n`),
              (err: unknown) => process.stderr.write(`${engine}: journal not written: ${String(err)}\n`),
            );
          },
        });
      } finally {
        interrupts.dispose();
      }
    });
}
