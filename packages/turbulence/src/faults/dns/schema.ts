/**
 * @module Schemas of the `dns` family (pure, see `../kind-schema.ts`). The rule itself is checked in full by the
 * DNS server's rule parser when the fault is injected (that parser needs `node:net`); validation checks its shape.
 */
import { z } from 'zod';
import { dnsApiQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';

/** The target query of `dns.rule`: a chaos DNS server's control API, or a running lab with a `dns:` block. */
export const dnsQuerySchema = dnsApiQuerySchema;

/** The shape of a rule, as the control API takes it (see docs/dns.md). */
export const dnsRuleShape = z.looseObject({ action: z.unknown() });

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'dns.rule',
    params: dnsRuleShape,
    target: dnsQuerySchema,
    targetTypes: ['dns-api'],
    example: {
      target: { api: 'http://127.0.0.1:5380' },
      params: { name: 'db\\.internal$', action: 'nxdomain' },
      duration: '30s',
    },
  },
];
