import { describe, expect, it } from 'vitest';
import { redactArgv } from './argv.js';

describe('redactArgv', () => {
  it('keeps the key of --var and hides its value, in both forms', () => {
    expect(redactArgv(['run', 'x.yaml', '--var', 'db_password=hunter2', '--var=token:str=abc'])).toEqual([
      'run',
      'x.yaml',
      '--var',
      'db_password=***',
      '--var=token:str=***',
    ]);
  });

  it('hides --var-file and token values whole, and leaves everything else alone', () => {
    expect(
      redactArgv(['run', 'x.yaml', '--var-file', 'prod.env', '--var-file=s.yaml', '--api-token', 't', '--seed', '4']),
    ).toEqual(['run', 'x.yaml', '--var-file', '***', '--var-file=***', '--api-token', '***', '--seed', '4']);
  });

  it('leaves what follows -- alone (a command run under turbulence)', () => {
    expect(redactArgv(['dns', 'run', '--', 'env', '--var', 'x=1'])).toEqual([
      'dns',
      'run',
      '--',
      'env',
      '--var',
      'x=1',
    ]);
  });
});
