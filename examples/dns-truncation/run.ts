/**
 * Runs the truncation story end to end: starts dnsmasq (3 instances of svc.example.test) and turbulence's chaos
 * DNS server in front of it, then `turbulence run`s the experiments once per client, and prints what happened.
 *
 *   npm run build && npx tsx examples/dns-truncation/run.ts
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from './cluster.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(here, '../../packages/turbulence/bin/turbulence.js');

/** One `turbulence run`: its exit code, the journal's status and the journal itself. */
export interface StoryRun {
  experiment: string;
  client: string;
  exitCode: number;
  status: string;
  deviated: boolean;
  journal: Record<string, unknown>;
  output: string;
}

/** Runs `experiment` with `client` against the stack (scaled back to 3 instances by the experiment's rollback). */
export function runExperimentWith(
  stack: Stack,
  experiment: string,
  client: string,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StoryRun> {
  const journalPath = join(outDir, `${experiment.replace(/\.yaml$/, '')}-${client}.journal.json`);
  const vars = {
    dns_server: stack.dns,
    dns_api: stack.api,
    hosts_file: stack.hostsFile,
    dnsmasq_pid: String(stack.dnsmasqPid),
    client,
  };
  const args = [cli, 'run', join(here, experiment), '--journal-path', journalPath, '--seed', '42'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}=${v}`);
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 120_000, env }, (err, stdout, stderr) => {
      const exitCode = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      let journal: Record<string, unknown> = {};
      try {
        journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Record<string, unknown>;
      } catch {
        journal = {
          status: `no journal (exit ${exitCode}${err?.killed ? ', killed after 120 s' : ''}): ${stderr.trim()}`,
        };
      }
      resolve({
        experiment,
        client,
        exitCode,
        status: String(journal.status),
        deviated: journal.deviated === true,
        journal,
        output: stdout + stderr,
      });
    });
  });
}

/** The TC bit as the journal recorded it for a method probe of the `dns` provider. */
export function tcSeen(journal: Record<string, unknown>, probe: string): boolean | undefined {
  const runs = (journal.run ?? []) as { activity: { name: string }; output?: { tc?: boolean } }[];
  return runs.find((r) => r.activity.name === probe)?.output?.tc;
}

async function main(): Promise<void> {
  const stack = await startStack({ instances: 3 });
  const outDir = mkdtempSync(join(tmpdir(), 'dns-truncation-journals-'));
  try {
    console.log(`dnsmasq ${stack.upstream} (pid ${stack.dnsmasqPid}) ← chaos DNS ${stack.dns} (API ${stack.api})\n`);
    for (const experiment of ['experiment.yaml', 'experiment-tcp-blocked.yaml']) {
      for (const client of ['udp-only', 'rfc7766']) {
        const r = await runExperimentWith(stack, experiment, client, outDir);
        const tc = tcSeen(r.journal, 'dns-answer-over-plain-udp') ?? tcSeen(r.journal, 'dns-answer-with-tcp-fallback');
        console.log(
          `${experiment} client=${client}: ${r.status}${r.deviated ? ' (deviated)' : ''}, exit ${r.exitCode}, TC bit seen: ${tc}`,
        );
      }
    }
    console.log(`\njournals in ${outDir}`);
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
