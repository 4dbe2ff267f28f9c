import './style.css';
import { DIVERGENCE_NAMES, getDivergence } from '@fdistill/divergence';
import { FASHION_MNIST_CLASSES } from '@fdistill/eval';
import { MIXTURE_RUN_SETTINGS, type MixtureRunSettings } from '@fdistill/trainer';
import { drawDivergences, fillDivergenceTable } from './divergences-view.js';
import { drawOneStepVersusMany } from './one-step-view.js';
import { drawHistogram, drawLines, drawScatter, type Series } from './plots.js';
import type { Evaluation, StepPoint, WorkerEvent, WorkerRequest } from './protocol.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => byId<HTMLInputElement>(id);
const parameters = new URLSearchParams(location.search);

// ---- controls, prefilled from the URL (?divergence=forward-kl&steps=300&autostart=1 ...) ----

const divergenceSelect = byId<HTMLSelectElement>('divergence');
for (const name of DIVERGENCE_NAMES) {
  divergenceSelect.append(new Option(getDivergence(name).label, name));
}
divergenceSelect.append(new Option('alpha (slider)', 'alpha'));
divergenceSelect.append(new Option('GAN only (no f term)', 'gan-only'));

const fields: Record<string, HTMLInputElement | HTMLSelectElement> = {
  mixture: byId('mixture'),
  divergence: divergenceSelect,
  alpha: input('alpha'),
  steps: input('steps'),
  seed: input('seed'),
  learningRate: input('learning-rate'),
  generatorLearningRate: input('generator-learning-rate'),
  ganWeight: input('gan-weight'),
  warmStartSteps: input('warm-start-steps'),
  warmStartPairs: input('warm-start-pairs'),
  prefitSteps: input('prefit-steps'),
  backend: byId('backend'),
};
divergenceSelect.value = 'js';
for (const [name, field] of Object.entries(fields)) {
  const value = parameters.get(name);
  if (value === null) continue;
  if (name === 'divergence' && value.startsWith('alpha:')) {
    divergenceSelect.value = 'alpha';
    input('alpha').value = value.slice('alpha:'.length);
  } else {
    field.value = value;
  }
}

function divergenceText(): string {
  return divergenceSelect.value === 'alpha'
    ? `alpha:${input('alpha').value}`
    : divergenceSelect.value;
}

function syncAlpha(): void {
  byId('alpha-value').textContent = input('alpha').value;
  byId('alpha-label').hidden = divergenceSelect.value !== 'alpha';
}
syncAlpha();

function numberOf(id: string, fallback: number): number {
  const value = Number(input(id).value);
  return Number.isFinite(value) ? value : fallback;
}

function settingsFromControls(): { settings: MixtureRunSettings; totalSteps: number } {
  const mixture = (fields.mixture as HTMLSelectElement).value as 'ring8' | 'grid25';
  const preset = MIXTURE_RUN_SETTINGS[mixture];
  const settings: MixtureRunSettings = {
    ...preset,
    divergence: divergenceText(),
    seed: Math.max(0, Math.round(numberOf('seed', 0))),
    learningRate: numberOf('learning-rate', preset.learningRate),
    generatorLearningRate: numberOf(
      'generator-learning-rate',
      preset.generatorLearningRate ?? preset.learningRate,
    ),
    ganWeight: numberOf('gan-weight', preset.ganWeight),
    studentWarmStartSteps: Math.max(
      0,
      Math.round(numberOf('warm-start-steps', preset.studentWarmStartSteps)),
    ),
    studentWarmStartPairs: Math.max(
      256,
      Math.round(numberOf('warm-start-pairs', preset.studentWarmStartPairs)),
    ),
    fakeScorePrefitSteps: Math.max(
      0,
      Math.round(numberOf('prefit-steps', preset.fakeScorePrefitSteps)),
    ),
  };
  return { settings, totalSteps: Math.max(10, Math.round(numberOf('steps', 1000))) };
}

// A new mixture fills in its preset's learning rates (grid25's student moves slower).
byId('mixture').addEventListener('change', () => {
  const preset = MIXTURE_RUN_SETTINGS[(fields.mixture as HTMLSelectElement).value as 'ring8'];
  input('learning-rate').value = String(preset.learningRate);
  input('generator-learning-rate').value = String(
    preset.generatorLearningRate ?? preset.learningRate,
  );
  input('gan-weight').value = String(preset.ganWeight);
  drawTraining();
});

// ---- the worker ----

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (request: WorkerRequest) => worker.postMessage(request);
send({
  type: 'init',
  backend: (fields.backend as HTMLSelectElement).value,
  wasmPaths: new URL('tfjs-wasm/', document.baseURI).href,
});

let runId = 0;
let running = false;
let paused = false;
let points: StepPoint[] = [];
let teacherSamples: number[][] = [];
let lastEvaluation: Evaluation | undefined;
let backendName = '';
let downloadUrl = '';

const status = byId('status');
const startButton = byId<HTMLButtonElement>('start');
const pauseButton = byId<HTMLButtonElement>('pause');
const resetButton = byId<HTMLButtonElement>('reset');

function setButtons(): void {
  startButton.textContent = running ? 'Restart' : 'Start';
  pauseButton.disabled = !running;
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  resetButton.disabled = !running && runId === 0;
}

function start(): void {
  runId += 1;
  const { settings, totalSteps } = settingsFromControls();
  points = [];
  lastEvaluation = undefined;
  teacherSamples = [];
  running = true;
  paused = false;
  document.body.dataset.runId = String(runId);
  document.body.dataset.divergence = settings.divergence;
  document.body.dataset.phase = 'building';
  clearMetrics();
  send({ type: 'start', runId, settings, totalSteps, evaluateEvery: 25, sampleCount: 2500 });
  setButtons();
  drawTraining();
}

function clearMetrics(): void {
  for (const id of ['metric-step', 'metric-modes', 'metric-high-quality', 'metric-mode-kl']) {
    byId(id).textContent = '–';
  }
  byId('last-evaluation').textContent = 'null';
}

startButton.addEventListener('click', start);
pauseButton.addEventListener('click', () => {
  paused = !paused;
  send({ type: paused ? 'pause' : 'resume' });
  setButtons();
});
resetButton.addEventListener('click', () => {
  send({ type: 'reset' });
  runId += 1;
  running = false;
  paused = false;
  points = [];
  lastEvaluation = undefined;
  document.body.dataset.phase = 'idle';
  clearMetrics();
  status.textContent = 'Reset. Press Start to distill.';
  setButtons();
  drawTraining();
});
// Switching the divergence restarts a running distillation with the new one.
const restartIfRunning = () => {
  if (running) start();
};
divergenceSelect.addEventListener('change', () => {
  syncAlpha();
  restartIfRunning();
});
input('alpha').addEventListener('input', syncAlpha);
input('alpha').addEventListener('change', restartIfRunning);

worker.onmessage = (message: MessageEvent<WorkerEvent>) => {
  const event = message.data;
  if (event.type === 'backend') {
    backendName = event.name;
    document.body.dataset.backend = event.name;
    status.textContent = `Backend: ${event.name}. Press Start to distill.`;
    byId('backend-line').textContent = `tfjs backend: ${event.name} (${event.reason})`;
    if (parameters.get('autostart') === '1' && !running) start();
    return;
  }
  if (event.type === 'error') {
    status.textContent = `Error: ${event.message}`;
    document.body.dataset.phase = 'error';
    console.error(event.message);
    return;
  }
  if (event.runId !== runId) return;
  if (event.type === 'log') {
    console.info(event.message);
    return;
  }
  if (event.type === 'phase') {
    document.body.dataset.phase = event.phase;
    status.textContent = `${backendName}: ${event.detail}`;
    if (event.phase === 'done') {
      running = false;
      setButtons();
    }
  } else if (event.type === 'teacher') {
    teacherSamples = event.samples;
    drawTraining();
  } else if (event.type === 'steps') {
    points.push(...event.points);
    // A generator step and its critic steps: the mean time per step over the last 50.
    const recent = points.slice(-50);
    const milliseconds = (1000 * recent.reduce((sum, p) => sum + p.seconds, 0)) / recent.length;
    byId('metric-step-time').textContent = milliseconds.toFixed(1);
    document.body.dataset.millisecondsPerStep = milliseconds.toFixed(2);
    drawLosses();
  } else if (event.type === 'evaluation') {
    const { type: _type, ...evaluation } = event;
    lastEvaluation = evaluation;
    byId('metric-step').textContent = String(evaluation.step);
    byId('metric-modes').textContent = `${evaluation.modesCaptured} / ${evaluation.modeCount}`;
    byId('metric-high-quality').textContent = evaluation.highQualityFraction.toFixed(3);
    byId('metric-mode-kl').textContent = Number.isFinite(evaluation.modeKlDivergence)
      ? evaluation.modeKlDivergence.toFixed(3)
      : 'n/a';
    const json = JSON.stringify(evaluation);
    byId('last-evaluation').textContent = json;
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    byId<HTMLAnchorElement>('download-samples').href = downloadUrl;
    document.body.dataset.evaluatedStep = String(evaluation.step);
    drawTraining();
  }
};

// ---- drawing ----

function drawTraining(): void {
  const grid = (fields.mixture as HTMLSelectElement).value === 'grid25';
  const extent: [number, number] = grid ? [-3, 3] : [-1.6, 1.6];
  const series: Series[] = [
    {
      label: 'teacher',
      color: 'rgba(120,120,120,0.35)',
      points: teacherSamples as [number, number][],
    },
  ];
  if (lastEvaluation) {
    series.push({
      label: `student, step ${lastEvaluation.step}`,
      color: 'rgba(26,115,232,0.55)',
      points: lastEvaluation.samples as [number, number][],
    });
  }
  drawScatter(byId('scatter'), series, { x: extent, y: extent });
  drawLosses();
  const weights = lastEvaluation?.normalizedWeights ?? [];
  const top = Math.max(2, Math.ceil(Math.max(0, ...weights)));
  drawHistogram(byId('weights'), weights, [0, Math.min(top, 10)], 40, '#188038', 'h(r) / E[h(r)]');
}

function drawLosses(): void {
  const line = (label: string, color: string, pick: (p: StepPoint) => number | undefined) => ({
    label,
    color,
    points: points
      .filter((p) => pick(p) !== undefined)
      .map((p) => [p.step, pick(p) as number] as [number, number]),
  });
  const series = [
    line('generator', '#1a73e8', (p) => p.generator),
    line('fake score', '#d93025', (p) => p.fakeScore),
    line('discriminator', '#188038', (p) => p.discriminator),
  ];
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const low = values.length ? Math.min(...values) : 0;
  const high = values.length ? Math.max(...values) : 1;
  const pad = (high - low) * 0.05 || 0.5;
  drawLines(byId('losses'), series, {
    x: [0, Math.max(10, points.length)],
    y: [low - pad, high + pad],
    xLabel: 'step',
    yLabel: 'loss',
  });
}

// ---- views ----

let divergencesDrawn = false;
function drawDivergenceView(): void {
  const alpha = Number(input('family-alpha').value);
  byId('family-alpha-value').textContent = String(alpha);
  const drawn = drawDivergences(alpha);
  byId('view-divergences').dataset.drawn = JSON.stringify(drawn);
}
input('family-alpha').addEventListener('input', drawDivergenceView);

// ---- one step vs many ----

const classSelect = byId<HTMLSelectElement>('image-class');
FASHION_MNIST_CLASSES.forEach((name, index) => {
  classSelect.append(new Option(`${index}: ${name}`, String(index)));
});
let imageSeed = 1;
let drawing: Promise<void> | undefined;
const oneStepStatus = byId('one-step-status');

function drawImages(): Promise<void> {
  const view = byId('view-one-step');
  const previous = drawing ?? Promise.resolve();
  drawing = previous.then(async () => {
    view.dataset.state = 'drawing';
    byId<HTMLButtonElement>('reroll').disabled = true;
    oneStepStatus.textContent = 'Loading the ONNX models and sampling…';
    try {
      const result = await drawOneStepVersusMany({
        label: Number(classSelect.value),
        seed: imageSeed,
        count: Math.min(64, Math.max(1, Math.round(numberOf('image-count', 16)))),
        heunSteps: Math.min(64, Math.max(2, Math.round(numberOf('heun-steps', 18)))),
        studentCanvas: byId('student-grid'),
        teacherCanvas: byId('teacher-grid'),
        onProgress: (text) => {
          oneStepStatus.textContent = text;
        },
      });
      const perImage = (ms: number) => `${(ms / result.count).toFixed(1)} ms per image`;
      byId('student-time').textContent =
        `${result.studentMilliseconds.toFixed(0)} ms for ${result.count} (${perImage(result.studentMilliseconds)})`;
      byId('teacher-nfe').textContent = String(result.teacherEvaluations);
      byId('teacher-time').textContent =
        `${result.teacherMilliseconds.toFixed(0)} ms for ${result.count} (${perImage(result.teacherMilliseconds)})`;
      const speedUp = result.teacherMilliseconds / Math.max(result.studentMilliseconds, 1e-3);
      oneStepStatus.textContent = `${FASHION_MNIST_CLASSES[result.label]}, seed ${result.seed}: one step is ${speedUp.toFixed(0)}x faster than ${result.teacherEvaluations} teacher evaluations.`;
      view.dataset.result = JSON.stringify(result);
      view.dataset.state = 'done';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      oneStepStatus.textContent = `Error: ${message}`;
      view.dataset.state = 'error';
      console.error(`one step vs many: ${message}`);
    } finally {
      byId<HTMLButtonElement>('reroll').disabled = false;
    }
  });
  return drawing;
}
byId('reroll').addEventListener('click', () => {
  imageSeed += 1;
  void drawImages();
});
classSelect.addEventListener('change', () => void drawImages());

// ---- routing ----

const VIEWS = ['distill', 'one-step', 'divergences'] as const;
let imagesDrawn = false;

function route(): void {
  const hash = location.hash.slice(1);
  const view = (VIEWS as readonly string[]).includes(hash) ? hash : 'distill';
  for (const name of VIEWS) byId(`view-${name}`).hidden = view !== name;
  if (view === 'one-step' && !imagesDrawn) {
    imagesDrawn = true;
    void drawImages();
  }
  for (const name of VIEWS) {
    const link = byId(`nav-${name}`);
    if (name === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'divergences') {
    if (!divergencesDrawn)
      fillDivergenceTable(
        byId<HTMLTableElement>('divergence-table').tBodies[0] as HTMLTableSectionElement,
      );
    divergencesDrawn = true;
    drawDivergenceView();
  } else {
    drawTraining();
  }
}
addEventListener('hashchange', route);
addEventListener('resize', () => {
  if (location.hash === '#divergences') drawDivergenceView();
  else drawTraining();
});
route();
setButtons();

/** For tests and curious users: the last evaluation (samples and metrics) as the page shows it. */
(globalThis as { fdistillDemo?: object }).fdistillDemo = {
  lastEvaluation: () => lastEvaluation,
  metricsShown: () => ({
    step: byId('metric-step').textContent,
    modes: byId('metric-modes').textContent,
    highQualityShare: byId('metric-high-quality').textContent,
    modeKl: byId('metric-mode-kl').textContent,
  }),
};
