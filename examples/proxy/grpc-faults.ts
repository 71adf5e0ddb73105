/**
 * gRPC faults through a turbulence proxy: a gRPC service (@grpc/grpc-js), a `protocol: http` proxy in front of it
 * (gRPC is HTTP/2, here h2c), a `grpc_status` UNAVAILABLE on one method and a `grpc_delay` on another, what a
 * gRPC client sees, then the toxics are removed live on the same channel.
 *
 *   npx tsx examples/proxy/grpc-faults.ts
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { createProxyServer } from '../../packages/turbulence/src/proxy/index.js';

const proto = grpc.loadPackageDefinition(loader.loadSync(fileURLToPath(new URL('./greeter.proto', import.meta.url))));
const Greeter = ((proto.turbulence as grpc.GrpcObject).test as grpc.GrpcObject)
  .Greeter as grpc.ServiceClientConstructor;

type Call = grpc.ServerUnaryCall<{ name: string }, { message: string }>;
const service = new grpc.Server();
service.addService(Greeter.service, {
  SayHello: (call: Call, done: grpc.sendUnaryData<{ message: string }>) =>
    done(null, { message: `hello ${call.request.name}` }),
  SayBye: (call: Call, done: grpc.sendUnaryData<{ message: string }>) =>
    done(null, { message: `bye ${call.request.name}` }),
  Count: (call: grpc.ServerWritableStream<{ name: string }, { message: string }>) => call.end(),
});
const servicePort = await new Promise<number>((resolve, reject) =>
  service.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
    err ? reject(err) : resolve(port),
  ),
);

const server = await createProxyServer({ seed: 42 });
const proxy = await server.createProxy({ name: 'greeter', upstream: `127.0.0.1:${servicePort}`, protocol: 'http' });
server.addToxic('greeter', {
  name: 'hello-down',
  type: 'grpc_status',
  attributes: { code: 'UNAVAILABLE', message: 'maintenance', service: 'turbulence.test.Greeter', method: 'SayHello' },
});
server.addToxic('greeter', { name: 'bye-slow', type: 'grpc_delay', attributes: { delay: 300, method: 'SayBye' } });

const client = new Greeter(proxy.listen, grpc.credentials.createInsecure());
const call = (method: 'SayHello' | 'SayBye'): Promise<string> => {
  const start = performance.now();
  return new Promise((resolve) => {
    const fn = (
      client as unknown as Record<
        string,
        (req: object, cb: (e: grpc.ServiceError | null, r?: { message: string }) => void) => void
      >
    )[method];
    fn!.call(client, { name: 'ada' }, (err, reply) => {
      const ms = Math.round(performance.now() - start);
      resolve(
        err
          ? `${method}: ${grpc.status[err.code]} "${err.details}" (${ms} ms)`
          : `${method}: OK "${reply?.message}" (${ms} ms)`,
      );
    });
  });
};

console.log('with the toxics:   ', await call('SayHello'), '|', await call('SayBye'));
server.removeToxic('greeter', 'hello-down');
server.removeToxic('greeter', 'bye-slow');
console.log('after removal:     ', await call('SayHello'), '|', await call('SayBye'));

client.close();
await server.close();
service.forceShutdown();
