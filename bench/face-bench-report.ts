/** The face benchmark's human-readable report (stdout, or stderr with --json). */
import type { QualityIssue } from '../face/quality.ts';
import type { ModelSummary } from './face-bench-accuracy.ts';
import type { PassOne } from './face-bench-describe.ts';
import type { LatencyResult } from './face-bench-latency.ts';
import type { SequenceResult } from './face-bench-sequences.ts';
import { type FaceBenchArgs, type Log, ms, pct } from './face-bench-setup.ts';

export interface ReportInput {
  args: Pick<FaceBenchArgs, 'skipDetection' | 'verbose' | 'baseline'>;
  images: number;
  p1: PassOne;
  summaries: ModelSummary[];
  perModel: Record<string, unknown>;
  latency: Record<string, LatencyResult>;
  sequences: SequenceResult | undefined;
  baselineResult: Record<string, number> | undefined;
  negatives: { total: number; refused: number; codes: Record<string, number> } | undefined;
  rssMb: number;
}

function printPassOne(r: ReportInput, log: Log): void {
  const { p1, args, images } = r;
  log('');
  log(
    `detection: ${p1.detected}/${images} found by the detector` +
      (p1.skipped > 0
        ? args.skipDetection
          ? `; detector not run (--skip-detection): all ${p1.skipped} measured with DETECTION SKIPPED (landmarks on the whole picture)`
          : `; ${p1.skipped} not found (tight crops?): measured with DETECTION SKIPPED (landmarks on the whole picture)`
        : '') +
      (p1.undescribed > 0 ? `; ${p1.undescribed} not described` : ''),
  );
  if (p1.skipped > 0 && args.verbose) log(`  detection skipped: ${p1.skippedList.join(', ')}`);
  log(`gates passed: ${p1.okCount}/${images}  ${JSON.stringify(p1.refusals)}`);
  if (args.verbose) {
    for (const g of p1.gateRecords.filter((x) => x.refused)) {
      const q = g.refused as QualityIssue;
      log(
        `  refused ${g.identity}/${g.n + 1}: ${q.code} ${q.value?.toFixed(3) ?? ''} (limit ${q.limit ?? '-'}); ` +
          `yaw ${g.yaw.toFixed(2)} pitch ${g.pitch.toFixed(2)} roll ${g.rollDeg.toFixed(1)} ` +
          `luma ${g.brightness.toFixed(0)} sharpness ${g.sharpness.toFixed(1)} chip scale ${g.scale.toFixed(2)}`,
      );
    }
  }
}

function printModels(r: ReportInput, log: Log): void {
  const { summaries, perModel, p1 } = r;
  const col = (s: string) => s.padEnd(34);
  const faceapi = summaries.find((s) => s.kind === 'faceapi');
  const faceapiEmbedP50 = faceapi ? faceapi.embedP50 : Number.NaN;
  log('');
  log(`${''.padEnd(26)}${summaries.map((s) => col(s.kind)).join('')}`);
  const row = (label: string, f: (s: ModelSummary) => string) =>
    log(`${label.padEnd(26)}${summaries.map((s) => col(f(s))).join('')}`);
  const rate = (n: number, d: number) => `${pct(n / Math.max(1, d))} (${n}/${d})`;
  row('dim', (s) => `${(perModel[s.kind] as { dim: number }).dim}`);
  row('EER (all described)', (s) => `${pct(s.ver.eer)} (d ${s.ver.eerThreshold.toFixed(3)})`);
  row('TAR @FAR 1% / 0.1%', (s) => `${pct(s.ver.tarAtFar1)} / ${pct(s.ver.tarAtFar01)}`);
  row('  pairs', (s) => `${s.ver.genuinePairs} / ${s.ver.impostorPairs}`);
  if (p1.skipped > 0 && p1.detected > 0) {
    row('EER / TAR@0.1%, detected', (s) => `${pct(s.verDetected.eer)} / ${pct(s.verDetected.tarAtFar01)}`);
  }
  row('rank-1, 1 / 3 images', (s) => `${pct(s.r1)} / ${pct(s.r3)}`);
  row('operating point', (s) => `d < ${s.op.threshold}, margin ${s.op.margin}`);
  row('correct accepts', (s) => rate(s.os.correctAccepts, s.os.genuineProbes));
  row('  of gate-passing', (s) => rate(s.os.correctAccepts, s.os.genuineProbes - s.os.gateRefused));
  row('  wrong person accepted', (s) => `${s.os.wrongAccepts}`);
  row('open-set false accepts', (s) => rate(s.os.falseAccepts, s.os.strangerProbes));
  row('gates ignored: correct', (s) => rate(s.osNoGates.correctAccepts, s.osNoGates.genuineProbes));
  row('  false accepts', (s) => rate(s.osNoGates.falseAccepts, s.osNoGates.strangerProbes));
  row('embedding p50 / p95', (s) => `${ms(s.embedP50)} / ${ms(s.embedP95)}`);
  row('  vs face-api (p50)', (s) =>
    Number.isFinite(faceapiEmbedP50) ? `${(s.embedP50 / faceapiEmbedP50).toFixed(2)}x` : '-',
  );
  row('1:N over 50,000 (p50)', (s) => ms(s.search50k));
}

function printLatency(r: ReportInput, log: Log): void {
  const baseline = r.args.baseline;
  for (const [kind, l] of Object.entries(r.latency)) {
    const n = (k2: string) => l[k2] as number;
    const x = (k2: string) => (baseline ? ` (${n(k2).toFixed(2)}x)` : '');
    log(
      `decision latency ${kind} (${n('workers')} worker(s), place prior ${n('priorMaxAgeMs') ? 'on' : 'off'}): ` +
        `tracked p50/p95 ${ms(n('decisionP50Ms'))}${x('trackedVsBaseline')} / ${ms(n('decisionP95Ms'))}, ` +
        `new person's first frame ${ms(n('newFaceP50Ms'))}${x('newFaceVsBaseline')} ${JSON.stringify(l.newFacePaths)}, ` +
        `cold (nothing known) ${ms(n('decisionColdP50Ms'))}${x('coldVsBaseline')} / ${ms(n('decisionColdP95Ms'))}, ` +
        `kiosk sequence (${n('sequenceFrames')} frames) p50 ${ms(n('sequenceP50Ms'))}${x('sequenceVsBaseline')}, ` +
        (baseline
          ? `median per picture of its own frames / its plain chain: tracked ${n('trackedVsBaselinePaired').toFixed(2)}x, sequence ${n('sequenceVsBaselinePaired').toFixed(2)}x, `
          : '') +
        `mean ${ms(n('sequenceMeanMs'))}` +
        (baseline
          ? `; plain chain ${ms(n('baselineDecisionP50Ms'))} / ${ms(n('baselineDecisionP95Ms'))} (its detector ${ms(n('baselineDetectP50Ms'))})`
          : ''),
    );
    const st = l.coldStagesP50Ms as Record<string, number>;
    log(
      `  cold stages p50: detect ${ms(st.detect ?? Number.NaN)}, landmarks ${ms(st.landmarks ?? Number.NaN)}, ` +
        `align ${ms(st.align ?? Number.NaN)}, descriptor ${ms(st.descriptor ?? Number.NaN)}, search ${ms(st.search ?? Number.NaN)}; ` +
        `processing time to the first "recognized" p50 ${ms(n('toRecognitionP50Ms'))} (${n('notRecognized')} sequences without, ${n('wrongRecognized')} wrong person); ` +
        `descriptor vs pass 1 (first frames by path; tracked frames as <path>@tracked), p50 / max ${JSON.stringify(l.descriptorDeviationP50)} / ${JSON.stringify(l.descriptorDeviationMax)}; ` +
        `open set by path (correct/genuine, false accepts/strangers; @tracked: the sequence's last frame on that path) ${JSON.stringify(l.openSetByPath)}; ` +
        `shift residual p50 / max ${n('shiftResidualP50').toFixed(3)} / ${n('shiftResidualMax').toFixed(3)}` +
        `  [${l.frames} tracked frames, ${JSON.stringify(l.trackedPaths)}, process RSS ${l.processRssMb} MB]`,
    );
  }
}

function printSequences(s: SequenceResult, log: Log): void {
  const side = (label: string, v: Record<string, unknown> | null) => {
    if (!v) return;
    const n = (k: string) => v[k] as number;
    log(
      `  ${label}: right person ${n('correct')}/${n('sequences')}, wrong person ${n('wrongPerson')}, never ${n('never')}; ` +
        `time to a recognition (processing, summed) p50 / p95 ${ms(n('toRecognitionP50Ms'))} / ${ms(n('toRecognitionP95Ms'))}, ` +
        `wall ${ms(n('toRecognitionWallP50Ms'))} / ${ms(n('toRecognitionWallP95Ms'))}, ` +
        `${n('framesToRecognitionP50')} frames (p50); per frame p50 ${ms(n('frameP50Ms'))} over ${n('frames')} frames ` +
        `${JSON.stringify(v.framePaths)}, p50 by path ${JSON.stringify(
          Object.fromEntries(
            Object.entries(v.frameP50MsByPath as Record<string, number>).map(([k, x]) => [
              k,
              Number(x.toFixed(1)),
            ]),
          ),
        )}; frames 1-3 of a 3-frame recognition p50 ${(v.first3FramesP50Ms as number[]).map((x) => ms(x)).join(' + ')}` +
        (v.stageP50MsByPath
          ? `; stages p50 by path (detect/landmarks/descriptor) ${JSON.stringify(
              Object.fromEntries(
                Object.entries(v.stageP50MsByPath as Record<string, Record<string, number>>).map(
                  ([k, st]) => [
                    k,
                    Object.values(st)
                      .map((x) => x.toFixed(1))
                      .join('/'),
                  ],
                ),
              ),
            )}`
          : ''),
    );
  };
  const ratio = s.toRecognitionVsBaseline as number;
  const paired = s.toRecognitionVsBaselinePaired as number;
  log(
    `time to a recognition, ${s.sequences} multi-frame sequences (${s.model}, ${s.workers} worker(s), ` +
      `${s.photosPerSequence} photos in turn, each ${(s.holdFrames as number[]).join('-')} frames, seed ${s.seed}): ` +
      `ours / plain chain p50 ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-'}, ` +
      `per-sequence median ${Number.isFinite(paired) ? `${paired.toFixed(2)}x` : '-'} (${s.pairedSequences} recognised by both)`,
  );
  side('ours', s.ours as Record<string, unknown>);
  for (const v of (s.variants as Record<string, unknown>[] | undefined) ?? []) {
    const r = (k: string) => (v[k] as number).toFixed(2);
    side(
      `variant ${v.name} ${JSON.stringify(v.engine)} (${r('toRecognitionVsBaseline')}x the plain chain, ` +
        `per-sequence median ${r('toRecognitionVsBaselinePaired')}x; ${r('toRecognitionVsOursPaired')}x ours)`,
      v,
    );
  }
  side('plain chain', s.baseline as Record<string, unknown> | null);
}

export function printReport(r: ReportInput, log: Log): void {
  printPassOne(r, log);
  printModels(r, log);
  printLatency(r, log);
  if (r.sequences) printSequences(r.sequences, log);
  const b = r.baselineResult;
  if (b) {
    log(
      `plain face-api chain: detection ${pct(b.detectionRate ?? 0)}, EER ${pct(b.eer ?? 0)}, ` +
        `TAR@0.1% ${pct(b.tarAtFar01 ?? 0)}, open set at d < 0.6 (1 image): correct ${pct(b.correctAcceptRate ?? 0)}, ` +
        `false accepts ${pct(b.openSetFalseAcceptRate ?? 0)} (${b.falseAccepts}/${b.strangerProbes})`,
    );
  }
  if (r.negatives) {
    log(
      `_negatives refused      ${r.negatives.refused}/${r.negatives.total} ${JSON.stringify(r.negatives.codes)}`,
    );
  }
  log(`memory (bench process RSS, all models loaded) ${r.rssMb} MB`);
}
