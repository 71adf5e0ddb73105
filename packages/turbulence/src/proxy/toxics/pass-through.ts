/** The stage of a toxic that does nothing to the data (noop, and connection-level toxics). */
import type { Sink, ToxicStage } from '../toxic.js';

/** Forwards every chunk and the end unchanged (a class: no closures, a few bytes per stage). */
class PassThrough implements ToxicStage {
  private readonly out: Sink;
  constructor(out: Sink) {
    this.out = out;
  }
  write(data: Buffer, t: number): void {
    this.out.write(data, t);
  }
  end(): void {
    this.out.end();
  }
  stop(): void {}
}

/** A stage that forwards every chunk and the end unchanged. */
export function passThrough(out: Sink): ToxicStage {
  return new PassThrough(out);
}
