import { z } from 'zod';

/**
 * A kiosk's connection settings as one JSON file: `POST /api/terminals` returns it once as the
 * `kiosk` field of its answer, and `npm run terminal -- --config FILE` reads it. The whole answer
 * saved as it is (`curl … > kiosk.json`) works too: the kiosk takes its `kiosk` field.
 */
export const KioskFile = z
  .object({
    id: z.string().min(1).describe('the terminal id: also its MQTT client id and username'),
    secret: z.string().min(1).describe('the terminal’s MQTT password, shown only at registration'),
    mqttUrl: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^/]/, 'expected mqtt://host:port (or mqtts://, ws://, wss://)')
      .describe('the broker the kiosk connects to (PUBLIC_MQTT_URL, else the server’s host and MQTT port)'),
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'the backend the kiosk pulls its gallery from (PUBLIC_API_URL, else the host it was registered at)',
      ),
    site: z.string().min(1).optional().describe('the terminal’s site'),
  })
  .strict();
export type KioskFile = z.infer<typeof KioskFile>;

/** The kiosk file in `json`: the file itself, or a saved registration answer that carries it as `kiosk`. */
export function kioskFileOf(json: unknown): z.ZodSafeParseResult<KioskFile> {
  const inner =
    typeof json === 'object' && json !== null && 'kiosk' in json ? (json as { kiosk: unknown }).kiosk : json;
  return KioskFile.safeParse(inner);
}
