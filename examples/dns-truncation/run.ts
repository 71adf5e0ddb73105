/**
 * The truncation story with resolvers people actually run. Brings up the lab (dnsmasq serving svc8 with 8
 * addresses and svc48 with 48, every host resolving through turbulence's chaos DNS server), builds musl's
 * getaddrinfo client, and asks each resolver for both names twice:
 *
 * - natural: the server passes dnsmasq's answer through. 48 A records (802 bytes) do not fit in 512 bytes, so
 *   dnsmasq sets TC and keeps the 29 records that fit;
 * - stripped: a `dns.rule` fault `truncate(oversize)` makes the chaos server answer an oversize UDP query with TC
 *   and zero records, as the servers of the incident did (the slide's `Answer RRs: 0`).
 *
 * Then it runs `real-clients.yaml` through `turbulence run` at 48 records, so the journal holds every resolver's
 * own output before and during the fault. Needs root, dnsmasq, musl-tools and busybox-static.
 *
 *   npm run build && sudo npx tsx examples/dns-truncation/run.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLI,
  LAB,
  attempt,
  buildMuslClient,
  resolvers,
  run,
  verdict,
  type Attempt,
  type MuslClient,
} from './clients.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** One row of the table. */
export interface Row extends Attempt {
  records: number;
  server: 'natural' | 'stripped';
  verdict: string;
}

/** Everything the story measured. */
export interface Story {
  musl: MuslClient;
  rows: Row[];
  /** The `turbulence run` of real-clients.yaml at 48 records. */
  experiment: { exitCode: number; journal: Record<string, unknown>; output: string };
}

const cli = (args: string[]) => run([process.execPath, CLI, ...args], 180_000);

/** Injects `truncate(oversize)` for `name` on the lab's chaos server, detached; returns the fault id. */
async function stripOversize(name: string): Promise<string> {
  const r = await run(
    [
      process.execPath,
      CLI,
      'fault',
      'inject',
      'dns.rule',
      '--target',
      'lab=dnstc',
      '--param',
      `name=${name}`,
      '--param',
      'action=truncate(oversize)',
      '--duration',
      '10m',
      '--detach',
    ],
    60_000,
  );
  const id = /\b(dns-rule-[\w-]+)/.exec(r.stdout + r.stderr)?.[1];
  if (r.code !== 0 || !id) throw new Error(`fault inject failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
  return id;
}

/** Runs the whole story; the lab must be up (see `main`). */
export async function tellStory(outDir: string): Promise<Story> {
  const musl = await buildMuslClient();
  const rows: Row[] = [];
  for (const records of [8, 48]) {
    const name = `svc${records}.example.test`;
    for (const server of ['natural', 'stripped'] as const) {
      const fault = server === 'stripped' ? await stripOversize(name) : undefined;
      try {
        for (const r of resolvers(musl)) {
          const a = await attempt(r, name);
          rows.push({ ...a, records, server, verdict: verdict(a, records) });
        }
      } finally {
        if (fault) await run([process.execPath, CLI, 'fault', 'revert', fault], 60_000);
      }
    }
  }
  const journalPath = join(outDir, 'real-clients.journal.json');
  const exp = await run(
    [
      process.execPath,
      CLI,
      'run',
      join(here, 'real-clients.yaml'),
      '--journal-path',
      journalPath,
      '--var',
      `musl_client=${musl.path}`,
      '--var',
      `service=svc48.example.test`,
    ],
    180_000,
  );
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Record<string, unknown>;
  return { musl, rows, experiment: { exitCode: exp.code, journal, output: exp.stdout + exp.stderr } };
}

/** The table the example prints. */
export function table(story: Story): string {
  const head = ['records', 'server answer', 'client', 'transport', 'addresses', 'verdict'];
  const body = story.rows.map((r) => [
    String(r.records),
    r.server === 'natural' ? 'natural (what fits)' : 'TC + 0 records',
    r.label,
    r.transport,
    String(r.addresses),
    r.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const up = await cli(['lab', 'up', LAB]);
  if (up.code !== 0) throw new Error(`lab up failed: ${up.stdout}${up.stderr}`);
  try {
    const story = await tellStory(mkdtempSync(join(tmpdir(), 'tb-dns-truncation-')));
    console.log(
      `musl ${story.musl.version}: ${story.musl.tcpFallback ? 'retries truncated answers over TCP (>= 1.2.4)' : 'no TCP fallback (before 1.2.4): it uses whatever the truncated UDP answer holds'}\n`,
    );
    console.log(table(story));
    console.log(
      `\nturbulence run real-clients.yaml (48 records): exit ${story.experiment.exitCode}, journal status ${String(story.experiment.journal.status)}, deviated ${String(story.experiment.journal.deviated)}`,
    );
  } finally {
    execFileSync(process.execPath, [CLI, 'lab', 'down', LAB], { stdio: 'inherit' });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
