/**
 * The monkey runner the system tests drive: the schedule in `file`, starting Monday 2026-03-02 00:00 UTC on a clock
 * 43,200× faster than real time (an hour in 1/12 s), no guardian, 50 ms ticks; every event is collected in `events`.
 */
import type { AnyEvent } from '../../src/core/events.js';
import { acceleratedClock } from '../../src/monkey/clock.js';
import { loadSchedule } from '../../src/monkey/load.js';
import { MonkeyRunner } from '../../src/monkey/runner.js';
import { parseDate } from '../../src/monkey/time.js';

export async function acceleratedRunner(
  file: string,
  options: { seed: number; until?: number },
): Promise<{ runner: MonkeyRunner; events: AnyEvent[] }> {
  const clock = acceleratedClock({
    origin: Date.parse('2026-03-02T00:00:00Z'),
    realStart: Date.now(),
    speed: 43_200,
  });
  const runner = new MonkeyRunner({
    schedule: await loadSchedule(file),
    seed: options.seed,
    clock,
    origin: parseDate('2026-03-02')!,
    ...(options.until !== undefined ? { until: options.until } : {}),
    guardian: false,
    tickMs: 50,
  });
  const events: AnyEvent[] = [];
  runner.events.on((e) => events.push(e));
  return { runner, events };
}
