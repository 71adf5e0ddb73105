/**
 * @module The `dns` fault family: `dns.rule` adds a rule to a running chaos DNS server (see `src/dns/`).
 */
import type { AnyDriver } from '../../core/fault.js';
import { ruleDriver } from './rule.js';

/** Every driver of the family, one line each. */
export const drivers: readonly AnyDriver[] = [ruleDriver];

export { ruleId } from './rule.js';
