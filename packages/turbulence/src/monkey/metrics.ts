/**
 * @module Prometheus metrics of a monkey (prom-client, on its own registry): decisions by group and kind of
 * decision, faults in effect, whether it is halted. Served at `/metrics` on the monkey's control endpoint.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** The monkey's metrics. */
export class MonkeyMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'turbulence_monkey_decisions_total',
    help: 'Decisions of the monkey: scheduled, skipped, leashed, injected, reverted',
    labelNames: ['group', 'decision'] as const,
    registers: [this.registry],
  });
  readonly active = new Gauge({
    name: 'turbulence_monkey_active_faults',
    help: 'Faults the monkey has in effect',
    registers: [this.registry],
  });
  readonly halted = new Gauge({
    name: 'turbulence_monkey_halted',
    help: '1 while the kill switch is thrown (by hand or by the outage checker)',
    registers: [this.registry],
  });

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
