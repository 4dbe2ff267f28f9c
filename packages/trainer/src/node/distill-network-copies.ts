import {
  ConvDiscriminator,
  type ConvDiscriminatorConfig,
  MlpDiscriminator,
  type MlpDiscriminatorConfig,
} from '@fdistill/discriminator';
import {
  type Denoiser,
  type EdmNetwork,
  GaussianMixture,
  type GaussianMixtureOptions,
  loadModuleFromSafetensors,
  MlpDenoiser,
  type Module,
  moduleToSafetensors,
  UNetDenoiser,
} from '@fdistill/score';
import {
  distillDiscriminatorKind,
  mlpDistillDiscriminator,
  teacherFeatureDistillDiscriminator,
} from '../discriminator-adapters.js';
import type { DistillDiscriminator, DistillNetworks } from '../distill-networks.js';

/** A trained EDM network as another thread rebuilds it: its class and its safetensors bytes. */
export interface EdmNetworkBytes {
  architecture: 'UNetDenoiser' | 'MlpDenoiser';
  bytes: Uint8Array;
}

/**
 * The networks of an f-distill run as plain data for another thread (`copyableDistillNetworks`):
 * what `rebuildDistillNetworks` turns back into networks with the same weights.
 */
export interface CopyableDistillNetworks {
  /** A learned teacher, or the exact mixture's components. */
  teacher: EdmNetworkBytes | { architecture: 'GaussianMixture'; options: GaussianMixtureOptions };
  student: EdmNetworkBytes;
  fakeScore: EdmNetworkBytes;
  /** An MLP discriminator, or conv heads on the teacher's taps: config and weights. */
  discriminator:
    | { kind: 'mlp'; config: MlpDiscriminatorConfig; bytes: Uint8Array }
    | { kind: 'teacher-features'; config: ConvDiscriminatorConfig; bytes: Uint8Array };
}

/** `network` as plain data, or an error naming `role` when it is of a kind no thread can rebuild. */
function edmNetworkBytes(network: Denoiser, role: string): EdmNetworkBytes {
  if (network instanceof UNetDenoiser) {
    return { architecture: 'UNetDenoiser', bytes: network.toSafetensors() };
  }
  if (network instanceof MlpDenoiser) {
    return { architecture: 'MlpDenoiser', bytes: network.toSafetensors() };
  }
  throw new TypeError(
    `startDistillWorkers: the ${role} must be a UNetDenoiser or an MlpDenoiser${role === 'teacher' ? ' (or a GaussianMixture)' : ''} to be copied to worker threads`,
  );
}

/**
 * The run's networks as plain data for worker threads. Supported: a `UNetDenoiser`,
 * `MlpDenoiser` or `GaussianMixture` teacher; `UNetDenoiser` or `MlpDenoiser` student and fake
 * score; a discriminator from `mlpDistillDiscriminator` or from
 * `teacherFeatureDistillDiscriminator` on the run's teacher. Others throw an error naming them.
 */
export function copyableDistillNetworks(networks: DistillNetworks): CopyableDistillNetworks {
  const { teacher, discriminator } = networks;
  const { module } = discriminator;
  const kind = distillDiscriminatorKind(discriminator);
  let copied: CopyableDistillNetworks['discriminator'];
  if (kind === 'mlp' && module instanceof MlpDiscriminator) {
    copied = { kind, config: { ...module.config }, bytes: moduleToSafetensors(module) };
  } else if (
    kind === 'teacher-features' &&
    module instanceof ConvDiscriminator &&
    discriminator.featureNetwork === teacher
  ) {
    copied = {
      kind: 'teacher-features',
      config: { ...module.config, taps: module.config.taps.map((tap) => ({ ...tap })) },
      bytes: moduleToSafetensors(module),
    };
  } else {
    throw new TypeError(
      'startDistillWorkers: the discriminator must come from mlpDistillDiscriminator or from teacherFeatureDistillDiscriminator on the run teacher to be copied to worker threads',
    );
  }
  return {
    teacher:
      teacher instanceof GaussianMixture
        ? {
            architecture: 'GaussianMixture',
            options: {
              weights: [...teacher.weights],
              means: teacher.means.map((mean) => [...mean]),
              stds: [...teacher.stds],
              sigmaData: teacher.sigmaData,
            },
          }
        : edmNetworkBytes(teacher, 'teacher'),
    student: edmNetworkBytes(networks.student, 'student'),
    fakeScore: edmNetworkBytes(networks.fakeScore, 'fake score'),
    discriminator: copied,
  };
}

/** An EDM network from its plain data. */
function rebuildEdmNetwork(copy: EdmNetworkBytes): EdmNetwork {
  return copy.architecture === 'UNetDenoiser'
    ? UNetDenoiser.fromSafetensors(copy.bytes)
    : MlpDenoiser.fromSafetensors(copy.bytes);
}

/** `module` with the weights of `bytes` (`moduleToSafetensors`). */
function withWeights<Trained extends Module>(module: Trained, bytes: Uint8Array): Trained {
  loadModuleFromSafetensors(module, bytes);
  return module;
}

/**
 * The networks of `copyableDistillNetworks` rebuilt on this thread (the teacher frozen), with
 * their discriminator adapter.
 */
export function rebuildDistillNetworks(copy: CopyableDistillNetworks): DistillNetworks {
  const teacher =
    copy.teacher.architecture === 'GaussianMixture'
      ? new GaussianMixture(copy.teacher.options)
      : rebuildEdmNetwork(copy.teacher);
  if (!(teacher instanceof GaussianMixture)) teacher.setTrainable(false);
  const { discriminator } = copy;
  let adapter: DistillDiscriminator;
  if (discriminator.kind === 'mlp') {
    adapter = mlpDistillDiscriminator(
      withWeights(new MlpDiscriminator(discriminator.config), discriminator.bytes),
    );
  } else {
    if (!(teacher instanceof UNetDenoiser)) {
      throw new TypeError('conv discriminator heads need a UNetDenoiser teacher');
    }
    adapter = teacherFeatureDistillDiscriminator(
      teacher,
      withWeights(new ConvDiscriminator(discriminator.config), discriminator.bytes),
    );
  }
  return {
    teacher,
    student: rebuildEdmNetwork(copy.student),
    fakeScore: rebuildEdmNetwork(copy.fakeScore),
    discriminator: adapter,
  };
}
