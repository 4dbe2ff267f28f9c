/**
 * Writes the image view's ONNX models into public/models/:
 *
 *   tsx scripts/export-models.ts [--run DIR]
 *
 * - teacher.onnx: the CLI's shipped Fashion-MNIST teacher (packages/cli/teachers/fashion-mnist/
 *   teacher.safetensors) by `exportDenoiserToOnnx`: x [batch, 32, 32, 1], sigma [batch],
 *   labels int64 [batch] -> denoised.
 * - student.onnx (with --run): the run's one-step student, exported by the CLI itself
 *   (`fdistill export --run DIR --format onnx`), so this app never rebuilds a run by hand.
 */
import '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@fdistill/backend';
import { exportDenoiserToOnnx, UNetDenoiser } from '@fdistill/score';

const models = fileURLToPath(new URL('../public/models/', import.meta.url));
const teacherFile = fileURLToPath(
  new URL('../../../packages/cli/teachers/fashion-mnist/teacher.safetensors', import.meta.url),
);
const cli = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

await selectBackend('auto');
const teacher = UNetDenoiser.fromSafetensors(readFileSync(teacherFile));
const bytes = exportDenoiserToOnnx(teacher, {
  metadata: { 'fdistill.source': 'packages/cli/teachers/fashion-mnist/teacher.safetensors' },
});
writeFileSync(`${models}teacher.onnx`, bytes);
teacher.dispose();
console.log(`wrote ${models}teacher.onnx (${(bytes.length / 1024).toFixed(0)} KiB)`);

const runIndex = process.argv.indexOf('--run');
if (runIndex > 0) {
  const run = process.argv[runIndex + 1] as string;
  execFileSync(
    'node',
    [cli, 'export', '--run', run, '--format', 'onnx', '--out', `${models}student.onnx`],
    { stdio: 'inherit' },
  );
}
