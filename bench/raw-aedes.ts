/**
 * Baseline for bench:ingest: a bare aedes (no auth, no processing) and one
 * subscriber in the same process, as the backend's service link would be.
 * Prints a ready line; publishes `bench/done` once it has received `expected`
 * messages on `bench/#`.
 */
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { listenMqtt } from '../broker/server.ts';

const expected = Number(process.argv[2] ?? '0');
const aedes = await Aedes.createBroker({ concurrency: 1000 });
const l = await listenMqtt((s) => aedes.handle(s as Parameters<typeof aedes.handle>[0]), 0, '127.0.0.1');
const sub = mqtt.connect(`mqtt://127.0.0.1:${l.port}`, { clientId: 'raw-sub' });
let n = 0;
sub.on('message', (topic) => {
  if (topic === 'bench/done') return;
  if (++n === expected) sub.publish('bench/done', String(n), { qos: 1 });
});
sub.on('connect', () => {
  sub.subscribe('bench/t/+/event', { qos: 1 }, () => {
    process.stdout.write(`${JSON.stringify({ ready: true, mqttPort: l.port })}\n`);
  });
});
process.on('SIGTERM', () => process.exit(0));
