/**
 * @module `container.exec`: runs a command inside a container through the Engine's exec API, as `docker exec` and
 * Pumba's `exec` do. The command is argv, handed to the Engine as is: no shell reads it. Waited for (up to
 * `timeout` seconds) unless `detach`; a non-zero exit fails the inject with the command's output.
 *
 *   inject ─▶ POST /containers/{id}/exec { Cmd: argv, User, Privileged } ─▶ start (attached) ─▶ inspect: ExitCode
 *   revert ─▶ nothing to undo: says so (what the command did stays done)
 */
import { PassThrough } from 'node:stream';
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { docker, engineError, engineStatus } from '../../os/docker.js';
import { containerOf, dockerReachable, resolveFor } from './engine.js';
import { execParams } from './schema.js';

const KIND = 'container.exec';
type Params = z.output<typeof execParams>;

/** The last `max` characters of a command's output, for an error message. */
const tail = (text: string, max = 400): string => (text.length > max ? `…${text.slice(-max)}` : text).trim();

/** `container.exec`. */
export const execDriver: FaultDriver<Params> = {
  kind: KIND,
  summary: 'run a command (argv, no shell) inside a container, like docker exec; cannot be undone',
  params: execParams,
  reversible: false,
  targets: ['container'],
  check: dockerReachable,
  resolveTargets: (query) => resolveFor(KIND, query),
  async inject(target, p): Promise<JsonObject> {
    const doing = `exec ${JSON.stringify(p.command)} in container ${target.name}`;
    let exec: Awaited<ReturnType<ReturnType<typeof containerOf>['exec']>>;
    try {
      exec = await containerOf(target).exec({
        Cmd: p.command,
        User: p.user,
        Privileged: p.privileged,
        AttachStdout: !p.detach,
        AttachStderr: !p.detach,
      });
    } catch (err) {
      if (engineStatus(err) === 409) {
        throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${doing}: the container is not running`, {
          hint: 'start (or unpause) it first',
          cause: err,
        });
      }
      throw engineError(err, doing);
    }
    if (p.detach) {
      await exec.start({ Detach: true }).catch((err: unknown) => Promise.reject(engineError(err, doing)));
      return { exec: exec.id, detached: true };
    }
    const output = await new Promise<string>((resolve, reject) => {
      let text = '';
      const sink = new PassThrough();
      sink.on('data', (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(
        () =>
          reject(
            new TurbulenceError(
              ErrorCodes.FAULT_INJECT_FAILED,
              `${doing}: still running after ${p.timeout} s (left running in the container)`,
              { hint: 'raise params.timeout, or set detach: true for a command meant to keep running' },
            ),
          ),
        p.timeout * 1000,
      );
      exec
        .start({ hijack: true, stdin: false })
        .then((stream) => {
          docker().modem.demuxStream(stream, sink, sink);
          stream.once('end', () => (clearTimeout(timer), resolve(text)));
          stream.once('error', (err: Error) => (clearTimeout(timer), reject(engineError(err, doing))));
        })
        .catch((err: unknown) => (clearTimeout(timer), reject(engineError(err, doing))));
    });
    const info = await exec.inspect().catch((err: unknown) => Promise.reject(engineError(err, doing)));
    if (info.ExitCode !== 0) {
      const how =
        info.ExitCode === 126 || info.ExitCode === 127
          ? `${p.command[0]} is not a program in the container (exit ${info.ExitCode})`
          : `exit ${String(info.ExitCode)}`;
      throw new TurbulenceError(
        ErrorCodes.FAULT_INJECT_FAILED,
        `${doing} failed: ${how}${output ? `: ${tail(output)}` : ''}`,
        {
          hint: 'argv is run as is, without a shell: for pipes or redirections use ["sh", "-c", "..."]',
        },
      );
    }
    return { exec: exec.id, exitCode: 0, output: tail(output) };
  },
  revert(fault) {
    return Promise.resolve(
      `not reversible: ${JSON.stringify(fault.params.command)} ran in container ${fault.target.name}; what it did stays done`,
    );
  },
};
