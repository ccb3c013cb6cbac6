import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Connects and resolves on CONNACK, or rejects with the broker's refusal. */
export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

export function publish(
  c: MqttClient,
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 = 1,
): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos }, (err) => (err ? reject(err) : resolve())),
  );
}

export function end(c: MqttClient): Promise<void> {
  return new Promise((r) => c.end(false, {}, () => r()));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true or the time runs out; returns the last value of `fn`. */
export async function until(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}
