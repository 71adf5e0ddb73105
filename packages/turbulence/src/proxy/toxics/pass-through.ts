/** The stage of a toxic that does nothing to the data (noop, and connection-level toxics). */
import type { Sink, ToxicStage } from '../toxic.js';

/** A stage that forwards every chunk and the end unchanged. */
export function passThrough(out: Sink): ToxicStage {
  return {
    write: (data, t) => out.write(data, t),
    end: () => out.end(),
    stop: () => {},
  };
}
