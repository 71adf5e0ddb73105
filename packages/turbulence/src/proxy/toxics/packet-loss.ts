/**
 * `packet_loss`: drops whole chunks with probability `loss_rate`; `correlation` makes losses come in bursts
 * (a two-state Markov chain whose long-run loss rate stays `loss_rate`). Dropped bytes never reach the peer, so
 * on TCP this corrupts the stream: use it with protocols that tolerate gaps, or to test corruption handling.
 * Attributes follow Toxiproxy PR #739 (unreleased there).
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { ratio } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface PacketLossAttributes {
  /** Long-run fraction of chunks dropped, 0..1 (default 0.1). */
  loss_rate: number;
  /** 0..1: 0 = independent losses, towards 1 = longer bursts (default 0). */
  correlation: number;
}

/** Probability of dropping the next chunk given whether the previous one was dropped. */
export function dropProbability(a: PacketLossAttributes, previousDropped: boolean): number {
  const { loss_rate: l, correlation: c } = a;
  return previousDropped ? l + c * (1 - l) : l * (1 - c);
}

/** The `packet_loss` toxic. */
export const packetLoss: ToxicType<PacketLossAttributes> = {
  type: 'packet_loss',
  summary: 'drop whole chunks with probability loss_rate, in bursts when correlation > 0',
  timeless: true,
  attributes: z.object({ loss_rate: ratio('loss_rate', 0.1), correlation: ratio('correlation', 0) }),
  create(attributes, out, ctx) {
    let attrs = attributes;
    let dropped = false;
    return {
      write(data, t) {
        dropped = ctx.rng().chance(dropProbability(attrs, dropped));
        if (dropped) ctx.dropped(data.length);
        else out.write(data, t);
      },
      end: () => out.end(),
      stop: () => {},
      reconfigure(next) {
        attrs = next as PacketLossAttributes;
      },
    };
  },
};
