/**
 * `npm run broker`: the MQTT broker alone (aedes with authentication and the
 * per-terminal ACL), for deployments that run it apart from the backend.
 * It reads terminals from the same database and shares the service secret.
 */
import { loadConfig } from '../backend/config.ts';
import { migrateDatabase, openDatabase } from '../backend/db/database.ts';
import type { Db } from '../backend/repositories/db.ts';
import { RejectionRepository } from '../backend/repositories/rejection.repository.ts';
import { TerminalRepository } from '../backend/repositories/terminal.repository.ts';
import { logger } from '../lib/logger.ts';
import { createBroker } from './broker.ts';
import { loadServiceSecret } from './credentials.ts';
import { type Listener, listenMqtt, listenMqtts } from './server.ts';

const log = logger('broker');
const cfg = loadConfig();
await migrateDatabase(cfg.DATABASE_URL);
const database = await openDatabase(cfg.DATABASE_URL);
const db: Db = { prisma: database.prisma, provider: database.provider };
const rejections = new RejectionRepository(db, logger('rejections'));
const { aedes } = await createBroker({
  directory: new TerminalRepository(db),
  serviceSecret: loadServiceSecret(cfg.MQTT_SERVICE_SECRET, cfg.serviceSecretFile),
  rejections,
  log,
});
const listeners: Listener[] = [await listenMqtt(aedes, cfg.MQTT_PORT, cfg.MQTT_HOST)];
if (cfg.MQTT_TLS_CERT && cfg.MQTT_TLS_KEY) {
  listeners.push(
    await listenMqtts(aedes, cfg.MQTTS_PORT, cfg.MQTT_HOST, cfg.MQTT_TLS_CERT, cfg.MQTT_TLS_KEY),
  );
}
log.info({ ports: listeners.map((l) => l.port) }, 'broker listening');
process.stdout.write(`${JSON.stringify({ ready: true, mqttPort: listeners[0]?.port })}\n`);

const stop = async () => {
  for (const l of listeners) await l.close();
  await new Promise<void>((r) => aedes.close(() => r()));
  await rejections.flush();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
