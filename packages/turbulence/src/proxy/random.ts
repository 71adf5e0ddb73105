/**
 * Per-connection randomness without per-connection generators: a connection keeps one 31-bit seed, and every
 * decision about it (is this toxic selected? which jitter?) derives from that seed and a name. The same seed,
 * connection order and toxic names give the same decisions, whatever order toxics are added in.
 */
import { deriveSeed } from '../core/rng.js';

/** A uniform number in [0, 1) fixed by `seed` and `name` (FNV-1a via deriveSeed, then a murmur3 finaliser). */
export function unitDraw(seed: number, name: string): number {
  let h = deriveSeed(seed, name);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** Whether a toxic with `toxicity` applies, given the connection's draw for it. */
export function isSelected(toxicity: number, draw: number): boolean {
  if (toxicity >= 1) return true;
  if (toxicity <= 0) return false;
  return draw < toxicity;
}
