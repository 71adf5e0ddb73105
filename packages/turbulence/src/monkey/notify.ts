/**
 * @module Webhook notifications, kube-monkey's `[notifications]` (asobti/kube-monkey `internal/pkg/notifications`):
 * after each due fault (done, dry run, or not done and why) one `POST` of the configured message to the endpoint,
 * and with `reportSchedule` the day's schedule when the day starts.
 *
 *   message placeholders: {$name} {$kind} {$namespace} {$timestamp} (ms) {$time} (15:04:05 MST) {$date}
 *                         (2006-01-02) {$error} {$kubemonkeyid} ($KUBE_MONKEY_ID)
 *   a whole header value or endpoint `{$env:NAME}` is replaced by $NAME (secrets stay out of the file)
 *
 * Times are in the schedule's time zone. A failed or non-2xx request is reported as a warning and never stops the
 * monkey; requests time out after 10 s, like kube-monkey's client. Unlike kube-monkey, the schedule report is valid
 * JSON (`{"text": "…"}` with the text escaped).
 */
import { errorMessage } from '../core/errors.js';
import { localParts } from './time.js';

/** One webhook (the schedule field `notifications`). */
export interface NotificationConfig {
  /** `POST` target; `{$env:NAME}` allowed. */
  url: string;
  /** The body, with placeholders (default: kube-monkey's JSON-ish text of the attack). */
  message?: string;
  /** `Name: value` (kube-monkey's "Name:Value" strings) or an object; values may be `{$env:NAME}`. */
  headers?: Record<string, string>;
  /** Also post each day's schedule when the day starts. */
  reportSchedule?: boolean;
}

/** What one notification is about. */
export interface AttackReport {
  name: string;
  kind: string;
  namespace: string;
  /** Empty when the fault was done. */
  error: string;
  at: number;
}

/** A default message: what kube-monkey's examples send. */
export const DEFAULT_MESSAGE = '{"text": "{$kind} {$namespace}/{$name} at {$date} {$time}: {$error}"}';

const ENV = /^\{\$env:(\w+)\}$/;

/** `{$env:NAME}` as a whole value → `$NAME` (kube-monkey's resolveEnvPlaceholder). */
export function resolveEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const m = ENV.exec(value);
  return m ? (env[m[1] as string] ?? '') : value;
}

/** kube-monkey's ReplacePlaceholders, with times in `timeZone`. */
export function fillMessage(
  template: string,
  r: AttackReport,
  timeZone: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const p = localParts(r.at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const zone = zoneAbbreviation(r.at, timeZone);
  const values: Record<string, string> = {
    '{$name}': r.name,
    '{$kind}': r.kind,
    '{$namespace}': r.namespace,
    '{$timestamp}': String(r.at),
    '{$time}': `${two(p.hour)}:${two(p.minute)}:${two(p.second)} ${zone}`,
    '{$date}': `${p.year}-${two(p.month)}-${two(p.day)}`,
    '{$error}': r.error,
    '{$kubemonkeyid}': env.KUBE_MONKEY_ID ?? '',
  };
  return template.replace(/\{\$(name|kind|namespace|timestamp|time|date|error|kubemonkeyid)\}/g, (m) => values[m] ?? m);
}

/** Go's `MST` layout: the zone's abbreviation (CET, PST) where one is known, else `GMT+9`. */
function zoneAbbreviation(at: number, timeZone: string): string {
  let fallback = timeZone;
  for (const locale of ['en-US', 'en-GB']) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(new Date(at))
      .find((x) => x.type === 'timeZoneName')?.value;
    if (name && !/^GMT[+-]/.test(name)) return name;
    fallback = name ?? fallback;
  }
  return fallback;
}

/** Sends the notifications of one schedule. */
export class Notifier {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly configs: readonly NotificationConfig[],
    private readonly timeZone: string,
    private readonly warn: (message: string) => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Reports one due fault to every endpoint (in the background: {@link flush} waits). */
  attack(r: AttackReport): void {
    for (const c of this.configs) this.post(c, fillMessage(c.message ?? DEFAULT_MESSAGE, r, this.timeZone, this.env));
  }

  /** Posts the day's schedule text to the endpoints that asked for it. */
  schedule(text: string): void {
    for (const c of this.configs) if (c.reportSchedule) this.post(c, JSON.stringify({ text: `\n${text}\n` }));
  }

  /** Resolves when every request so far has finished. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private post(c: NotificationConfig, body: string): void {
    const headers = Object.fromEntries(
      Object.entries(c.headers ?? {}).map(([k, v]) => [k.trim(), resolveEnv(v.trim(), this.env)]),
    );
    const url = resolveEnv(c.url, this.env);
    const p = (async () => {
      try {
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (res.status < 200 || res.status > 299) {
          // The configured URL, not the resolved one: it may carry a token (kube-monkey does the same).
          this.warn(`notification: POST ${c.url} returned ${res.status} ${text.trim().slice(0, 200)}, expected 2xx`);
        }
      } catch (err) {
        this.warn(`notification: POST ${c.url}: ${errorMessage(err)}`);
      }
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

/** kube-monkey's schedule text (`schedule.String()`), one row per fault due that day. */
export function scheduleText(rows: { kind: string; namespace: string; name: string; at: string }[]): string {
  const out = ["\t********** Today's schedule **********"];
  if (process.env.KUBE_MONKEY_ID) out.push(`\tKubeMonkey ID: ${process.env.KUBE_MONKEY_ID}`);
  if (rows.length === 0) out.push('\tNo terminations scheduled');
  else {
    out.push('\tk8 Api Kind\tKind Namespace\tKind Name\t\tTermination Time');
    out.push('\t-----------\t--------------\t---------\t\t----------------');
    for (const r of rows) out.push(`\t${r.kind}\t${r.namespace}\t${r.name}\t\t${r.at}`);
  }
  out.push('\t********** End of schedule **********');
  return out.join('\n');
}
