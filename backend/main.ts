import { logger } from '../lib/logger.ts';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const log = logger('main');
try {
  const server = await startServer(loadConfig());
  // One machine-readable line for scripts and tests that start us with port 0.
  process.stdout.write(
    `${JSON.stringify({ ready: true, httpPort: server.httpPort, mqttPort: server.mqttPort })}\n`,
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
} catch (err) {
  log.fatal({ err }, 'could not start');
  process.exit(1);
}
