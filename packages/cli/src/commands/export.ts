import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportStudentToOnnx } from '@fdistill/score';
import { checkpointFile, writeFileAtomically } from '@fdistill/trainer/node';
import { buildRunOfConfig } from '../build-run.js';
import { ConfigError } from '../run-config.js';
import { RunFolder } from '../run-folder.js';
import { selectCliBackend } from '../select-cli-backend.js';
import { parseCommandArgs, UsageError } from '../usage-error.js';

/** `fdistill export --help`. */
export const EXPORT_HELP = `fdistill export: write a run's one-step student as an ONNX model

Usage: fdistill export --run DIR --format onnx [--out FILE]

  --run DIR        a run folder written by fdistill distill
  --format onnx    the only format
  --out FILE       default DIR/student.onnx
  --backend NAME   auto | tensorflow-gpu | tensorflow | wasm | cpu

The model (opset 17) takes z float32 [batch, ...data] and returns samples = D(80 z; 80), the EMA
student in one network evaluation; the batch dimension is dynamic. Run it with onnxruntime in
Node, the browser or Python, or with: fdistill sample --onnx FILE -n 1000 --out samples.png`;

/** Runs `fdistill export`; returns the exit code. */
export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('export', args, {
    run: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  });
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  if (values.run === undefined) throw new UsageError('fdistill export: --run DIR is required');
  if (values.format !== 'onnx') {
    throw new UsageError(
      `fdistill export: --format must be onnx, got ${JSON.stringify(values.format ?? null)}`,
    );
  }
  const { folder, config } = RunFolder.open(values.run);
  if (!existsSync(folder.file('checkpoint')))
    throw new ConfigError(`${values.run} has no checkpoint to export`);
  const out = values.out ?? join(folder.path, 'student.onnx');
  const backend = await selectCliBackend(values.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const run = buildRunOfConfig(config);
  try {
    run.distiller.loadCheckpoint(checkpointFile(folder.file('checkpoint')));
    const bytes = exportStudentToOnnx(run.studentEma, {
      sigmaMax: run.distiller.options.sigmaMax,
      metadata: { 'fdistill.preset': config.preset, 'fdistill.divergence': config.divergence },
    });
    writeFileAtomically(out, bytes);
    const shape = config.preset === 'fashion-mnist' ? '32, 32, 1' : '2';
    const conditioning = config.preset === 'fashion-mnist' ? ', labels int64 [batch]' : '';
    console.log(
      `wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB): z [batch, ${shape}]${conditioning} -> samples [batch, ${shape}]`,
    );
    return 0;
  } finally {
    run.dispose();
  }
}
