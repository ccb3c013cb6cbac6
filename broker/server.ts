import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';

/** Serves one accepted connection: `Broker.handle` (broker.ts), which applies the MQTT limits. */
export type ConnectionHandler = (conn: Duplex) => void;

export type Listener = { server: Server; port: number; close(): Promise<void> };

function listen(server: Server, port: number, host: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

/** Plain MQTT on `port`. */
export function listenMqtt(handle: ConnectionHandler, port: number, host: string): Promise<Listener> {
  return listen(
    createServer((socket) => handle(socket)),
    port,
    host,
  );
}

/** MQTT over TLS (`mqtts`), when a certificate and key are configured. */
export function listenMqtts(
  handle: ConnectionHandler,
  port: number,
  host: string,
  certFile: string,
  keyFile: string,
): Promise<Listener> {
  const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (socket) =>
    handle(socket),
  );
  return listen(server, port, host);
}
