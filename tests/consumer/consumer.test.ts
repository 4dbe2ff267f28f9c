import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExample } from './readme-examples.js';

const repository = fileURLToPath(new URL('../../', import.meta.url));
const LIBRARIES = ['utils', 'backend', 'divergence', 'score', 'discriminator', 'trainer', 'eval'];
/** Every public entry point, as an outside project imports it. */
const ENTRY_POINTS = [
  ...LIBRARIES.map((name) => `@fdistill/${name}`),
  '@fdistill/trainer/node',
  '@fdistill/eval/node',
  '@fdistill/cli',
];

const folder = mkdtempSync(join(tmpdir(), 'fdistill-consumer-'));
const tarballs = join(folder, 'tarballs');
const project = join(folder, 'project');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs a command; on failure the error carries its output. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

const tarballOf = (name: string) =>
  join(
    tarballs,
    readdirSync(tarballs).find((file) => file.startsWith(`fdistill-${name}-`)) as string,
  );

beforeAll(() => {
  mkdirSync(tarballs);
  for (const name of [...LIBRARIES, 'cli']) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(repository, 'packages', name));
  }
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      ...LIBRARIES.map(tarballOf),
      '@tensorflow/tfjs@^4.22.0',
      'typescript@~5.9.3',
      '@types/node@^20',
      'tsx@^4.20.0',
    ],
    project,
  );
});

describe('the packed packages in a fresh npm project', () => {
  for (const resolution of ['node16', 'bundler'] as const) {
    it(`type-check an import of every entry point (moduleResolution ${resolution})`, () => {
      writeFileSync(
        join(project, 'imports.ts'),
        ENTRY_POINTS.filter((entry) => entry !== '@fdistill/cli')
          .map(
            (entry, index) =>
              `import * as entry${index} from '${entry}';\nconsole.log(Object.keys(entry${index}).length);`,
          )
          .join('\n'),
      );
      const config = {
        compilerOptions: {
          target: 'ES2022',
          module: resolution === 'node16' ? 'Node16' : 'ESNext',
          moduleResolution: resolution === 'node16' ? 'Node16' : 'Bundler',
          strict: true,
          noEmit: true,
          // tfjs-core's own declarations need it (they name a global `Long`), as in most projects.
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['imports.ts'],
      };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
      run('npx', ['tsc', '-p', `tsconfig.${resolution}.json`], project);
    });
  }

  for (const name of LIBRARIES) {
    it(`run @fdistill/${name}'s README example (shortened)`, () => {
      const file = join(project, `${name}-example.ts`);
      writeFileSync(file, readmeExample(join(repository, 'packages', name, 'README.md'), name));
      const output = run('npx', ['tsx', file], project);
      if (name !== 'eval' && name !== 'utils') expect(output).toMatch(/wasm/);
    });
  }

  it('train a U-Net teacher step and a U-Net distillation step on wasm with the project kernels', () => {
    const file = join(project, 'unet-steps.ts');
    writeFileSync(
      file,
      `import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@fdistill/backend';
import { ConvDiscriminator } from '@fdistill/discriminator';
import { getDivergence } from '@fdistill/divergence';
import { UNetDenoiser } from '@fdistill/score';
import { Distiller, TeacherTrainer, tensorSource, teacherFeatureDistillDiscriminator } from '@fdistill/trainer';

const backend = await selectBackend('wasm');
const config = { imageSize: 16, channels: 1, baseChannels: 8, channelMultipliers: [1, 1], blocksPerResolution: 1, attentionResolutions: [8], groupNormGroups: 2, embeddingSize: 16, seed: 0 };
const images = tensorSource(tf.randomUniform([32, 16, 16, 1], -1, 1));
const teacher = new UNetDenoiser(config);
const trainer = new TeacherTrainer(teacher, images, { batchSize: 4, totalSteps: 2 });
const teacherLoss = (await trainer.step()).loss;
teacher.setTrainable(false);
const copy = () => { const network = new UNetDenoiser(config); network.copyParametersFrom(teacher); return network; };
const heads = new ConvDiscriminator({ taps: teacher.featureTaps, seed: 1 });
const distiller = new Distiller(
  { teacher, student: copy(), fakeScore: copy(), discriminator: teacherFeatureDistillDiscriminator(teacher, heads) },
  images,
  { divergence: getDivergence('js'), batchSize: 4, fakeUpdateFrequency: 2, r1: { gamma: 1 } },
);
const phases = [(await distiller.step()).phase, (await distiller.step()).phase];
console.log(JSON.stringify({ backend: backend.name, teacherLoss, phases, filterGradient: tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined }));
`,
    );
    const result = JSON.parse(
      run('npx', ['tsx', file], project).trim().split('\n').at(-1) as string,
    );
    expect(result.backend).toBe('wasm');
    expect(result.filterGradient).toBe(true);
    expect(Number.isFinite(result.teacherLoss)).toBe(true);
    expect(result.phases.sort()).toEqual(['critic', 'generator']);
  });

  it('install the CLI globally from its tarball with npm, no environment variables, and run it', () => {
    const prefix = join(folder, 'global');
    run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        ...[...LIBRARIES, 'cli'].map(tarballOf),
      ],
      folder,
    );
    expect(run(join(prefix, 'bin', 'fdistill'), ['--help'], folder)).toContain(
      'Usage: fdistill <command>',
    );
    const doctor = run(join(prefix, 'bin', 'fdistill'), ['doctor'], folder);
    expect(doctor).toMatch(/backend\s+wasm/);
    expect(doctor).toContain('npm install onnxruntime-node --onnxruntime-node-install=skip');
  });
});
