/**
 * `npm run broker`: the MQTT broker alone (aedes with authentication and the per-terminal ACL), for
 * deployments that run it apart from the backend. The composition root of the broker on its own:
 * it reads terminals from the backend's database and records refused publishes there (the backend
 * migrates that database, this process never does: see deferred-database.ts), and shares the
 * service secret. It imports nothing of backend/ (test/e2e/broker-alone.test.ts).
 */

import { configureLogging, type Logger, logger } from '../lib/logger.ts';
import { handleShutdown } from '../lib/process-lifecycle.ts';
import { createBroker } from './broker.ts';
import { type BrokerConfig, loadBrokerConfig } from './broker-config.ts';
import { loadServiceSecret } from './credentials.ts';
import { DeferredDatabase } from './deferred-database.ts';
import { RejectionRepository } from './rejection.repository.ts';
import { type Listener, listenMqtt, listenMqtts } from './server.ts';
import { TerminalCredentialRepository } from './terminal-credential.repository.ts';

async function start(cfg: BrokerConfig, log: Logger) {
  const database = new DeferredDatabase(cfg.DATABASE_URL, log);
  await database.begin((err) => {
    log.fatal({ err }, 'could not open the database');
    process.exit(1);
  });
  const rejections = new RejectionRepository(database, logger('rejections'));
  const terminals = new TerminalCredentialRepository(database);
  const { aedes, handle } = await createBroker({
    directory: {
      findTerminal: async (id) => {
        await database.ensureOpen();
        return terminals.findTerminal(id);
      },
    },
    serviceSecret: loadServiceSecret(cfg.MQTT_SERVICE_SECRET, cfg.serviceSecretFile),
    rejections,
    log,
    limits: cfg.mqttLimits,
  });
  const listeners: Listener[] = [await listenMqtt(handle, cfg.MQTT_PORT, cfg.MQTT_HOST)];
  if (cfg.MQTT_TLS_CERT && cfg.MQTT_TLS_KEY) {
    listeners.push(
      await listenMqtts(handle, cfg.MQTTS_PORT, cfg.MQTT_HOST, cfg.MQTT_TLS_CERT, cfg.MQTT_TLS_KEY),
    );
  }
  return {
    ports: listeners.map((l) => l.port),
    async close() {
      // A listener's close waits for its open connections, which connected kiosks never end on their
      // own (issue #12): stop accepting, let aedes drop every client, then wait for the listeners.
      const closed = listeners.map((l) => l.close());
      await new Promise<void>((r) => aedes.close(() => r()));
      await Promise.all(closed);
      await rejections.flush();
      await database.close();
    },
  };
}

let cfg: BrokerConfig;
try {
  cfg = loadBrokerConfig();
} catch (err) {
  logger('broker').fatal({ err }, 'could not start: invalid configuration');
  process.exit(1);
}
const log = configureLogging(cfg.log).child({ ns: 'broker' });
try {
  const broker = await start(cfg, log);
  // Before the ready line: whoever reads it may send SIGTERM at once.
  handleShutdown(log, () => broker.close());
  log.info({ ports: broker.ports }, 'broker listening');
  process.stdout.write(`${JSON.stringify({ ready: true, mqttPort: broker.ports[0] })}\n`);
} catch (err) {
  log.fatal({ err }, 'could not start');
  process.exit(1);
}
