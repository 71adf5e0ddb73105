/**
 * Logs of servers and long-running commands (`proxy serve`, `dns serve`, `lab up --foreground`): a `pino` logger
 * with `--log-level` and `--log-format pretty|json`, fed by the event channels — library code never logs, it
 * emits events (or takes an injected logger, as the control APIs do); the command subscribes here.
 *
 *   server ──event──▶ diagnostics_channel turbulence:<source> ──▶ logEvents ──▶ pino ──▶ stdout
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Option, type Command } from 'commander';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { EVENT_CHANNELS, type AnyEvent, type EventSource } from '../core/events.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogFlags {
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** Adds `--log-level` and `--log-format` to a command. */
export function addLogOptions(command: Command): Command {
  return command
    .addOption(new Option('--log-level <level>', 'least severe log level shown').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'pretty: one short line per event; json: pino JSON lines')
        .choices(LOG_FORMATS)
        .default('pretty'),
    );
}

/**
 * Creates the logger of a command.
 *
 * @example
 * const log = createLogger({ logLevel: 'info', logFormat: 'json' });
 * log.info({ url }, 'proxy API listening');
 */
export function createLogger(flags: LogFlags, out: { write(s: string): unknown } = process.stdout): Logger {
  const options = { level: flags.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (flags.logFormat === 'json') return pino(options, { write: (s: string) => out.write(s) });
  return pino(options, prettyStream(out));
}

/** pino's numeric levels → names. */
const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'pid', 'msg', 'source', 'type', 'at']);

/** A compact human line per record: `12:00:00.123 INFO  proxy.created proxy={...}`. */
function prettyStream(out: { write(s: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      const rec = JSON.parse(line) as Record<string, unknown>;
      const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : '';
      const level = (LEVEL_NAMES[rec.level as number] ?? String(rec.level)).padEnd(5);
      const head = typeof rec.type === 'string' ? rec.type : '';
      const fields = Object.entries(rec)
        .filter(([k]) => !SKIP.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      const text = [time, level, head, typeof rec.msg === 'string' ? rec.msg : '', ...fields].filter(Boolean);
      out.write(`${text.join(' ')}\n`);
    },
  };
}

/** The level an event is logged at: per-query DNS events are debug, failures are errors. */
export function levelOf(event: AnyEvent): Level {
  if (event.type === 'dns.query') return 'debug';
  if (event.type === 'fault.failed') return 'error';
  if (event.type === 'supervisor.process.gave-up') return 'error';
  if (event.type === 'supervisor.process.exited' && event.code !== 0) return 'warn';
  return 'info';
}

/**
 * Logs every event of the given sources (their `diagnostics_channel`s) until the returned function is called.
 *
 * @example
 * const stop = logEvents(createLogger(flags), ['proxy']);
 */
export function logEvents(logger: Logger, sources: readonly EventSource[]): () => void {
  const onEvent = (message: unknown): void => {
    const event = message as AnyEvent;
    logger[levelOf(event)](event);
  };
  for (const s of sources) subscribe(EVENT_CHANNELS[s], onEvent);
  return () => {
    for (const s of sources) unsubscribe(EVENT_CHANNELS[s], onEvent);
  };
}

/**
 * Prints a command's own message (e.g. "listening on ..."): a plain line in pretty format (as before logs
 * existed), a log record in json format so that every line of output parses.
 */
export function announce(logger: Logger, flags: LogFlags, text: string, fields: Record<string, unknown> = {}): void {
  if (flags.logFormat === 'json') logger.info(fields, text);
  else process.stdout.write(`${text}\n`);
}
