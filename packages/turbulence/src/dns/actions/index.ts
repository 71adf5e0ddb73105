/** Every DNS fault action, one line each. Adding an action is one file beside this one and one line here. */
import type { DnsActionDefinition } from '../action.js';
import { answer } from './answer.js';
import { delay } from './delay.js';
import { drop } from './drop.js';
import { flipCase } from './flip-case.js';
import { inflate } from './inflate.js';
import { nxdomain, refused, servfail } from './rcode.js';
import { tcpRefuse } from './tcp-refuse.js';
import { truncate } from './truncate.js';
import { ttl } from './ttl.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action has its own params type
export type AnyDnsAction = DnsActionDefinition<any>;

export const dnsActions: readonly AnyDnsAction[] = [
  truncate,
  nxdomain,
  servfail,
  refused,
  drop,
  delay,
  answer,
  ttl,
  inflate,
  flipCase,
  tcpRefuse,
];

/** The action definition of a type, or undefined. */
export function getDnsAction(type: string): AnyDnsAction | undefined {
  return dnsActions.find((a) => a.type === type);
}
