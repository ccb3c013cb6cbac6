/** `npm start`: the central server (config from the environment: backend/config.ts, README "Configuration"). */
import { ConfigError } from '../lib/env-config.ts';
import { configureLogging, isPretty } from '../lib/logger.ts';
import { handleShutdown, startFailure } from '../lib/process-lifecycle.ts';
import { type Config, loadConfig } from './config.ts';
import { startServer } from './server.ts';

let cfg: Config;
try {
  cfg = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  configureLogging(err.log)
    .child({ ns: 'main' })
    .fatal({ problems: err.problems }, 'could not start: invalid configuration');
  process.exit(1);
}
const log = configureLogging(cfg.log).child({ ns: 'main' });
try {
  const server = await startServer(cfg);
  // Before the ready line: whoever reads it may send SIGTERM at once.
  handleShutdown(log, () => server.close());
  // One machine-readable line for scripts and tests that start us with port 0 (a person reads the
  // "server ready" line instead).
  if (!isPretty(cfg.log)) {
    process.stdout.write(
      `${JSON.stringify({ ready: true, httpPort: server.httpPort, mqttPort: server.mqttPort })}\n`,
    );
  }
} catch (err) {
  const ports = {
    PORT: cfg.PORT,
    ...(cfg.MQTT_URL ? {} : { MQTT_PORT: cfg.MQTT_PORT, MQTTS_PORT: cfg.MQTTS_PORT }),
  };
  const { msg, fields } = startFailure(err, ports);
  log.fatal(fields, msg);
  process.exit(1);
}
