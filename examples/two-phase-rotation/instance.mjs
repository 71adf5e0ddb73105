// One instance of the certificate service. Plain JavaScript so it starts in ~50 ms (the explorer starts it
// hundreds of times); it embeds failpoints at every step of the prepare/commit protocol.
//
//   STATE_DIR      directory holding ca.pem (current CA), ca.pem.prepared (staged CA) and port (where it listens)
//   SAFE_PREPARE=1 the fix: persist the prepared CA before acknowledging the prepare
//
// The deliberate bug (SAFE_PREPARE unset): the instance acknowledges `prepare` and only then writes the prepared
// file. A crash in between leaves the coordinator believing the instance holds the new CA when it does not.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { failpointAsync } from '@turbulence/failpoints';

const dir = process.env.STATE_DIR;
const safe = process.env.SAFE_PREPARE === '1';
const current = join(dir, 'ca.pem');
const prepared = join(dir, 'ca.pem.prepared');

const read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Writes a file so that it is either absent or complete (write a temporary file, then rename). */
async function writeAtomically(file, text) {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

const reply = (res, status, body) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const handlers = {
  async prepare(body, res) {
    await failpointAsync('prepare.received');
    if (safe) {
      await writeAtomically(prepared, body.ca);
      await failpointAsync('prepare.written');
      reply(res, 200, { prepared: body.version });
      await once(res, 'finish');
      await failpointAsync('prepare.acked');
    } else {
      reply(res, 200, { prepared: body.version });
      await once(res, 'finish');
      await failpointAsync('prepare.acked');
      await writeAtomically(prepared, body.ca);
      await failpointAsync('prepare.written');
    }
  },
  async commit(body, res) {
    await failpointAsync('commit.received');
    if (read(prepared) !== body.ca) {
      if (read(current) === body.ca) return reply(res, 200, { committed: body.version });
      return reply(res, 409, { error: 'nothing prepared for this version' });
    }
    await rename(prepared, current);
    await failpointAsync('commit.renamed');
    reply(res, 200, { committed: body.version });
  },
  async abort(_body, res) {
    await rm(prepared, { force: true });
    reply(res, 200, { aborted: true });
  },
  // The coordinator's periodic heartbeat carries its decision; it repairs a lost commit or abort message.
  async heartbeat(body, res) {
    const staged = read(prepared);
    if (staged !== null && body.decision === 'commit' && staged === body.ca) {
      await failpointAsync('heartbeat.repair');
      await rename(prepared, current);
    } else if (staged !== null && body.decision === 'abort') {
      await rm(prepared, { force: true });
    }
    reply(res, 200, { ca: read(current), prepared: read(prepared) });
  },
};

const server = createServer(async (req, res) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  const handler = handlers[req.url.slice(1)];
  if (!handler) return reply(res, 404, { error: `no route ${req.url}` });
  try {
    await handler(JSON.parse(text || '{}'), res);
  } catch (err) {
    if (!res.headersSent) reply(res, 500, { error: err.message });
  }
});
server.listen(0, '127.0.0.1', async () => {
  await writeAtomically(join(dir, 'port'), String(server.address().port));
});
process.on('SIGTERM', () => process.exit(0));
