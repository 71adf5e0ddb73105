/**
 * Params shared by the network kinds.
 */
import { z } from 'zod';

/** Lab host names, IPv4 addresses or CIDRs; absent = everyone. */
export const peersParam = z.array(z.string().min(1)).min(1).optional();

/** Which traffic of the target a fault acts on: what it receives, what it sends, or both. */
export const directionParam = z.enum(['both', 'ingress', 'egress']).default('both');
export type Direction = z.infer<typeof directionParam>;

/** Input chain rules when the direction includes ingress, output chain rules when it includes egress. */
export function byDirection(
  direction: Direction,
  input: string[],
  output: string[],
): { input: string[]; output: string[] } {
  return {
    input: direction === 'egress' ? [] : input,
    output: direction === 'ingress' ? [] : output,
  };
}
