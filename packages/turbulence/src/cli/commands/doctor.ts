/**
 * `turbulence doctor`: which fault kinds work on this machine, and why not.
 */
import type { Command } from 'commander';
import { kindFacts, machineFacts, type DoctorLine } from '../../faults/doctor.js';

function print(title: string, lines: DoctorLine[]): void {
  console.log(title);
  const width = Math.max(...lines.map((l) => l.name.length));
  for (const { name, result } of lines) {
    const text = result.ok ? (result.detail ?? '') : result.reason;
    console.log(`  ${result.ok ? 'ok  ' : 'NO  '} ${name.padEnd(width)}  ${text}`);
  }
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show which fault kinds work on this machine and why the others do not')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const machine = await machineFacts();
      const kinds = await kindFacts();
      const { kubernetesFacts } = await import('../../faults/kubernetes/doctor.js');
      const kubernetes = await kubernetesFacts();
      if (opts.json) return void console.log(JSON.stringify({ machine, kinds, kubernetes }, null, 2));
      print('machine:', machine);
      print('fault kinds:', kinds);
      print('kubernetes:', kubernetes);
    });
}
