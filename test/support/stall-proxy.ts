import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with requests arriving from now on:
 * - `pass`: forwards both ways;
 * - `hold`: accepts and reads them, forwards nothing and never answers (a stalled datastore);
 * - `lose-answer`: forwards the next request, so it is carried out, but its answer never arrives (then `pass`);
 * - `reset-after-answer`: forwards the next request and drops the connection when its answer comes (then `pass`).
 */
export type StallMode = 'pass' | 'hold' | 'lose-answer' | 'reset-after-answer';

export interface StallProxy {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** What happens to requests that find `plan` empty. */
  mode: StallMode;
  /** What happens to the next requests, one entry each (every DynamoDB request is an HTTP POST), before `mode` applies again. */
  plan: StallMode[];
  /** Requests the proxy has held so far (in `hold` mode). */
  held(): number;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target` (an http://127.0.0.1:<port> endpoint) that can be told to stall. */
export async function startStallProxy(target: string): Promise<StallProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let held = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    let upstream: Socket | undefined;
    let answer: 'deliver' | 'lose' | 'reset' = 'deliver';
    let current: StallMode = 'pass';
    client.on('data', (chunk: Buffer) => {
      // a new request on this connection (the SDK sends each in one write, starting with its request line)
      if (chunk.subarray(0, 5).toString('latin1') === 'POST ') {
        current = proxy.plan.shift() ?? proxy.mode;
        if (current === 'hold') held++;
        if (proxy.plan.length === 0 && (current === 'lose-answer' || current === 'reset-after-answer') && proxy.mode === current) {
          proxy.mode = 'pass';
        }
      }
      if (current === 'hold') return;
      if (current === 'lose-answer') answer = 'lose';
      if (current === 'reset-after-answer') answer = 'reset';
      if (!upstream) {
        const connection = createConnection({ host: hostname, port: Number(port) });
        track(connection);
        connection.on('data', (data) => {
          if (answer === 'lose') return;
          if (answer === 'reset') client.destroy();
          else client.write(data);
        });
        connection.on('close', () => client.destroy());
        client.on('close', () => connection.destroy());
        upstream = connection;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: StallProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'pass',
    plan: [],
    held: () => held,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
