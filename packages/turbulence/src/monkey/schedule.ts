/**
 * @module The schedule file of `turbulence monkey` (YAML or JSON): one zod schema that validates files and
 * publishes `schema/monkey-schedule.schema.json`. Pure: zod and `core/` only. Semantic checks that need more than
 * the shape (time zones, dates, fault kinds) live in `validate.ts`.
 *
 * ```yaml
 * timezone: America/Los_Angeles
 * window: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "15:00" }
 * holidays: ["2026-12-25", "2027-01-01"]
 * maxConcurrent: 1
 * groups:
 *   - name: web
 *     targets: { cmdline: "node .*web" }
 *     fault: { kind: process.kill, params: { signal: SIGKILL } }
 *     meanTimeBetweenFaults: 2
 *     minTimeBetweenFaults: 1
 * ```
 */
import { z } from 'zod';

/** Day names of a window, Monday first. */
export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayName = (typeof DAY_NAMES)[number];

const duration = z
  .union([z.string().min(1), z.number().nonnegative()])
  .describe('a duration: seconds (30), or 250ms, 30s, 5m, 2h');

/** A probe: a provider call and the tolerance its output must meet (as in an experiment's steady state). */
export const probeSchema = z
  .object({
    name: z.string().min(1).optional(),
    provider: z.looseObject({ type: z.string().min(1) }).describe('a provider, as in an experiment (http, tcp, ...)'),
    tolerance: z.unknown().describe('what the output must be: 200, [200, 204], a range, a regex, ...'),
  })
  .strict();

/** The outage checker: when a probe's tolerance fails (or the query exceeds `max`), the monkey halts. */
export const outageSchema = z
  .object({
    probes: z.array(probeSchema).optional(),
    prometheus: z
      .object({
        url: z.string().url().describe('Prometheus base URL, e.g. http://127.0.0.1:9090'),
        query: z.string().min(1).describe('an instant query; its first sample is compared with max'),
        max: z.number().describe('an outage is a value above this'),
      })
      .strict()
      .optional(),
    interval: duration.default('5s').describe('real time between checks'),
  })
  .strict();

/** A webhook (kube-monkey's `[notifications.attacks]`): one POST per due fault. */
export const notificationSchema = z
  .object({
    url: z.string().min(1).describe('the endpoint (POST); a whole {$env:NAME} is read from the environment'),
    message: z
      .string()
      .optional()
      .describe('the body: {$name} {$kind} {$namespace} {$timestamp} {$time} {$date} {$error} {$kubemonkeyid}'),
    headers: z.record(z.string(), z.string()).optional().describe('request headers; a value may be {$env:NAME}'),
    reportSchedule: z.boolean().default(false).describe("also post each day's schedule when the day starts"),
  })
  .strict();

/** kube-monkey's `kube-monkey/kill-mode` and `kill-value`. */
export const killModeSchema = z
  .object({
    mode: z.enum(['kill-all', 'fixed', 'random-max-percent', 'fixed-percent']),
    value: z.number().nonnegative().optional(),
  })
  .strict();

/** Where kube-monkey's labels of a group's victim are read at each fault (see `kube-monkey-live.ts`). */
export const kubeMonkeySourceSchema = z.union([
  z
    .object({
      workload: z
        .object({
          kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
          namespace: z.string().min(1),
          name: z.string().min(1),
        })
        .strict(),
      kubeconfig: z.string().min(1).optional(),
      context: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ identifier: z.string().min(1).describe('containers labelled kube-monkey/identifier=this') }).strict(),
]);

/** What a group does: one fault (any registered kind) ... */
export const groupFaultSchema = z
  .object({
    kind: z.string().min(1).describe('a fault kind (see `turbulence fault kinds`)'),
    params: z.record(z.string(), z.unknown()).optional(),
    duration: duration.optional().describe('how long each fault stays in effect (default maxFaultDuration)'),
  })
  .strict();

/** One group of targets and what the monkey does to them. */
export const groupSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-"'),
    targets: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the target query of the fault kind, as `fault inject --target` (e.g. { cmdline: "node .*web" })'),
    fault: groupFaultSchema.optional(),
    experiment: z
      .string()
      .min(1)
      .optional()
      .describe('an experiment file run whole (`turbulence run`) instead of a fault'),
    meanTimeBetweenFaults: z.number().describe('in workdays: each workday fires with probability 1/this'),
    minTimeBetweenFaults: z.number().nonnegative().default(1).describe('in workdays, per target'),
    maxPerDay: z.number().int().positive().optional(),
    maxTargets: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('blast radius of the group: one fault hits at most this many targets'),
    killMode: killModeSchema.optional().describe('how many matching targets one fault hits (default: one)'),
    optIn: z
      .union([z.boolean(), z.object({ label: z.string().min(1), value: z.string().default('enabled') }).strict()])
      .optional()
      .describe('only targets carrying this label (true: kube-monkey/enabled=enabled)'),
    kubeMonkey: kubeMonkeySourceSchema
      .optional()
      .describe(
        "kube-monkey's labels read live at each fault (enabled, kill-mode, kill-value): a workload's for pods, or the containers' sharing an identifier",
      ),
    grouping: z.string().min(1).optional().describe('label key: at most one fault per value of it per day'),
    exceptions: z.array(z.string().min(1)).optional().describe('regexes on target names never touched'),
    preflight: z.array(probeSchema).optional().describe('probes that must hold before each fault, else skip'),
    enabled: z.boolean().default(true),
  })
  .strict();

/** A whole schedule file. */
export const scheduleSchema = z
  .object({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-"')
      .optional()
      .describe('names the state directory (default: the file name)'),
    timezone: z.string().min(1).default('UTC').describe('an IANA time zone, e.g. America/Los_Angeles'),
    window: z
      .object({
        days: z.array(z.enum(DAY_NAMES)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
        start: z.string().default('09:00').describe('HH:MM local time'),
        end: z.string().default('15:00').describe('HH:MM local time, after start'),
      })
      .strict()
      .default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '15:00' }),
    holidays: z.array(z.string()).default([]).describe('local dates YYYY-MM-DD without faults'),
    holidaysFile: z.string().min(1).optional().describe('an iCal (.ics) file whose all-day events are holidays'),
    maxConcurrent: z.number().int().positive().default(1),
    maxPerDay: z.number().int().positive().optional(),
    maxTargets: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('overall blast radius: at most this many targets under faults at once, all groups together'),
    maxFaultDuration: duration.default('1h').describe('no fault lasts longer, whoever asks (the deadman bound)'),
    leashed: z.boolean().default(false).describe('decide and record only, like Chaos Monkey leashed mode'),
    exceptions: z.array(z.string().min(1)).default([]).describe('regexes on target names never touched, any group'),
    outage: outageSchema.optional(),
    notifications: z
      .array(notificationSchema)
      .default([])
      .describe("webhooks told about each due fault (kube-monkey's [notifications])"),
    groups: z.array(groupSchema).min(1),
  })
  .strict();

/** A schedule as written (before defaults). */
export type ScheduleInput = z.input<typeof scheduleSchema>;
/** A schedule after the schema's defaults. */
export type ScheduleDoc = z.output<typeof scheduleSchema>;
export type GroupDoc = z.output<typeof groupSchema>;
export type ProbeDoc = z.output<typeof probeSchema>;
export type OutageDoc = z.output<typeof outageSchema>;
export type KillMode = z.output<typeof killModeSchema>;
export type KubeMonkeySourceDoc = z.output<typeof kubeMonkeySourceSchema>;

/** `$id` of the published JSON Schema. */
export const MONKEY_SCHEMA_ID = 'https://turbulence.dev/schema/monkey-schedule.schema.json';

/**
 * The JSON Schema of schedule files, for editors (`schema/monkey-schedule.schema.json`).
 *
 * @example
 * writeFileSync('monkey-schedule.schema.json', JSON.stringify(monkeyScheduleJsonSchema(), null, 2));
 */
export function monkeyScheduleJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scheduleSchema, { io: 'input', unrepresentable: 'any' }),
    $id: MONKEY_SCHEMA_ID,
    title: 'turbulence monkey schedule',
    description: 'Continuous chaos: windows, holidays, groups of targets, mean time between faults, safety nets.',
  };
}
