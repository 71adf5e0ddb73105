/**
 * `turbulence recover [--all]`: reverts what crashed runs left in the ledger, stops supervised processes whose
 * supervisor is gone, and takes down labs whose `lab up` process is gone (in that order: faults inside a lab's
 * namespaces are reverted before the namespaces go).
 */
import type { Command } from 'commander';
import { ExitCodes } from '../../core/errors.js';
import { recoverLedger } from '../../faults/recover.js';
import { recoverLabs, type LabRecovery } from '../../lab/lab.js';
import { recoverManaged } from '../../supervisor/managed.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Registers `turbulence recover`. */
export function register(program: Command): void {
  program
    .command('recover')
    .description(
      'revert the faults a crashed or killed run left behind: ledger entries whose owner process is gone, ' +
        'and entries past their expiry',
    )
    .option('--all', 'revert every fault in the ledger, also those of live runs and detached ones')
    .option('--keep-managed', 'do not stop supervised processes whose supervisor is gone')
    .option('--keep-labs', 'do not take down labs whose supervisor (`lab up`) is gone')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
The ledger lives in $TURBULENCE_HOME/ledger (default ~/.turbulence/ledger): one file per fault, written before the
fault takes effect. Faults owned by a live process, by another host, or detached (fault inject --detach) and not
yet expired are kept and listed with the reason.

Then it stops the processes turbulence supervised for a run that is gone (the demo's replicas after the demo was
killed: $TURBULENCE_HOME/managed/<name>.json whose supervisor is dead), unless --keep-managed.

Last it takes down every lab whose supervisor is gone ($TURBULENCE_HOME/labs/<lab>.json whose \`lab up\` process,
checked by pid and start time, is dead): its services, namespaces, bridge and host-access link, unless --keep-labs.

Examples:
  $ turbulence recover
  $ turbulence recover --all`,
    )
    .action(async (flags: { all?: boolean; json?: boolean; keepManaged?: boolean; keepLabs?: boolean }) => {
      const report = await recoverLedger({
        all: flags.all === true,
        onRevert: (e) => flags.json || out(`reverting ${e.id} (${e.kind} on ${e.target.name})`),
      });
      const managed = flags.keepManaged ? { stopped: [], kept: [] } : await recoverManaged();
      const labs: LabRecovery = flags.keepLabs ? { removed: [], kept: [] } : await recoverLabs();
      if (flags.json) {
        out(
          JSON.stringify({
            reverted: report.reverted.map((e) => e.id),
            failed: report.failed.map((f) => ({ id: f.entry.id, error: f.error.toJSON() })),
            kept: report.kept.map((k) => ({ id: k.entry.id, reason: k.reason })),
            corrupt: report.corrupt,
            managedStopped: managed.stopped.map((m) => ({ name: m.spec.name, pid: m.pid })),
            labsRemoved: labs.removed.map((l) => ({ name: l.name, namespaces: l.namespaces })),
            labsKept: labs.kept,
          }),
        );
      } else {
        for (const f of report.failed) err(`could not revert ${f.entry.id}: ${f.error.format()}`);
        for (const k of report.kept) out(`kept ${k.entry.id} (${k.entry.kind} on ${k.entry.target.name}): ${k.reason}`);
        for (const m of managed.stopped) out(`stopped ${m.spec.name} (pid ${m.pid}): its supervisor is gone`);
        for (const l of labs.removed)
          out(`took down lab ${l.name} (${l.namespaces.join(', ')}): its supervisor is gone`);
        for (const k of labs.kept) if (k.reason.startsWith('could not')) err(`lab ${k.name}: ${k.reason}`);
        for (const c of report.corrupt) err(`warning: unreadable ledger file ${c.file}: ${c.error}`);
        out(
          `recover: ${report.reverted.length} reverted, ${report.failed.length} failed, ${report.kept.length} kept` +
            (report.corrupt.length > 0 ? `, ${report.corrupt.length} unreadable` : ''),
        );
      }
      process.exitCode = report.failed.length > 0 || report.corrupt.length > 0 ? ExitCodes.FAILED : ExitCodes.OK;
    });
}
