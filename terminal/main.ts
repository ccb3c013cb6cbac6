/**
 * `npm run terminal -- [options]`: one kiosk.
 *   --id, --secret, --mqtt-url, --site   credentials from `POST /api/terminals` (or env TERMINAL_ID, …)
 *   --data-dir DIR                       where the outbox lives (default ./data/terminal)
 *   --simulate                           punches from a simulator instead of the camera
 *   --employees NIP,NIP  --count N  --rate R   simulator settings
 *   --exit-when-drained                  exit 0 once the simulator is done and every punch is acked
 */
import { parseArgs } from 'node:util';
import { logger } from '../lib/logger.ts';
import { Kiosk } from './kiosk.ts';
import { SimulatedPunchSource } from './punch-source.ts';

const { values: a } = parseArgs({
  options: {
    id: { type: 'string', default: process.env.TERMINAL_ID },
    secret: { type: 'string', default: process.env.TERMINAL_SECRET },
    'mqtt-url': { type: 'string', default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883' },
    site: { type: 'string', default: process.env.TERMINAL_SITE },
    'data-dir': { type: 'string', default: process.env.TERMINAL_DATA_DIR ?? './data/terminal' },
    simulate: { type: 'boolean', default: false },
    employees: { type: 'string', default: '199001012015011001' },
    count: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    'ack-timeout-ms': { type: 'string', default: '10000' },
    'exit-when-drained': { type: 'boolean', default: false },
  },
});

const log = logger('kiosk');
if (!a.id || !a.secret) {
  log.fatal(
    'terminal id and secret are required (--id/--secret or TERMINAL_ID/TERMINAL_SECRET); register one with POST /api/terminals',
  );
  process.exit(2);
}
const fault =
  process.env.ATT_FAULT === 'crash-after-outbox-write' ? ('crash-after-outbox-write' as const) : undefined;
const kiosk = new Kiosk(
  {
    terminalId: a.id,
    secret: a.secret,
    mqttUrl: a['mqtt-url'] ?? '',
    siteId: a.site,
    dataDir: a['data-dir'] ?? './data/terminal',
    ackTimeoutMs: Number(a['ack-timeout-ms']),
    fault,
  },
  log.child({ terminalId: a.id }),
);
kiosk.start();
log.info({ pending: kiosk.outbox.depth() }, 'kiosk started');

const shutdown = async (code: number) => {
  await kiosk.stop();
  process.exit(code);
};
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

if (a.simulate) {
  const source = new SimulatedPunchSource(
    (a.employees ?? '').split(',').filter(Boolean),
    Number(a.count),
    Number(a.rate),
  );
  const n = await kiosk.run(source);
  log.info({ punches: n }, 'simulation finished');
  if (a['exit-when-drained']) {
    await kiosk.drained();
    log.info({ stats: kiosk.sender.stats }, 'drained');
    await shutdown(0);
  }
} else {
  log.warn('no punch source: the face pipeline is not wired yet; use --simulate');
}
