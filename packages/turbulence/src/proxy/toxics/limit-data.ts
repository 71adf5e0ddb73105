/**
 * `limit_data`: forwards exactly `bytes` bytes in this direction (cutting the chunk that crosses the limit), then
 * closes the connection. The counter belongs to the connection and survives updates of the toxic.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface LimitDataAttributes {
  /** Bytes allowed through before the connection is closed; 0 closes on the first data. */
  bytes: number;
}

/** The `limit_data` toxic. */
export const limitData: ToxicType<LimitDataAttributes> = {
  type: 'limit_data',
  summary: 'close the connection once bytes bytes have passed in this direction',
  timeless: true,
  attributes: z.object({ bytes: int('bytes', 0) }),
  create(attributes, out, ctx) {
    let limit = attributes.bytes;
    let passed = 0;
    return {
      write(data, t) {
        const room = limit - passed;
        if (room > 0) {
          const part = data.length <= room ? data : data.subarray(0, room);
          passed += part.length;
          out.write(part, t);
          if (part.length < data.length) ctx.dropped(data.length - part.length);
        } else {
          ctx.dropped(data.length);
        }
        if (passed >= limit) ctx.close();
      },
      end: () => out.end(),
      stop: () => {},
      reconfigure(next) {
        limit = (next as LimitDataAttributes).bytes;
      },
    };
  },
};
