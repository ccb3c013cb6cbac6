/**
 * Liveness against real presentation attacks (FACE_DATA_DIR/pad-dev, read in place): attack
 * pictures played as videos made with ffmpeg in a temp folder, through the real frame path, the
 * engine (detector on every frame, as the kiosk runs it with liveness on) and the gate. Worst case:
 * the face in the picture counts as an enrolled person (bench/liveness-videos.ts, runAttackVideo).
 * A sample of each attack kind here; bench/liveness.bench.ts runs all 23 with every motion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttackMotion, encodeAttackVideo, runAttackVideo } from '../../bench/liveness-videos.ts';
import { FaceEngine } from '../../face/engine.ts';
import { faceDataMissing, PAD } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

const SAMPLE: Array<[string, string, AttackMotion]> = [
  ['001.jpg', 'printed photo', 'still'],
  ['010.jpg', 'printed photo, NUAA webcam', 'still'],
  ['007.jpg', 'iPad screen', 'still'],
  ['004.jpg', '3D mask', 'still'],
  ['009.jpg', 'monitor', 'moved'],
  ['007.jpg', 'iPad screen', 'tilted'],
];

describe('liveness on pad-dev attacks', skipNotice(faceDataMissing('pad-dev')), () => {
  let engine: FaceEngine;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'liveness-pad-'));
    // As a kiosk with liveness on (face-kiosk.ts): detector and landmark net on every frame.
    engine = await FaceEngine.create({ tracking: { detectEvery: 1, shiftMaxResidual: 0 } });
  });

  afterAll(async () => {
    await engine?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each(SAMPLE)('attack %s (%s, %s) never passes active or strict', async (file, _kind, motion) => {
    const video = join(tmp, `${file}-${motion}.mp4`);
    await encodeAttackVideo(join(PAD, 'attack', file), video, motion, { seconds: 2, fps: 10 });
    const r = await runAttackVideo(engine, video);
    expect(r.frames).toBe(20);
    // The attack is a good enough face to be recognised (else this would prove nothing)...
    expect(r.matched).toBeGreaterThanOrEqual(3);
    // ...but no recognition gets through.
    expect(r.passActive).toBeUndefined();
    expect(r.passStrict).toBeUndefined();
  });
});
