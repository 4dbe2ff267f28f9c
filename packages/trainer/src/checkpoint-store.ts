import { type CheckpointContent, decodeCheckpoint, encodeCheckpoint } from './checkpoint-bytes.js';

/**
 * Where a trainer keeps its checkpoint: a file (`checkpointFile` from `@fdistill/trainer/node`),
 * memory (`memoryCheckpointStore`), or anything that can hold bytes (IndexedDB in a browser).
 */
export interface CheckpointStore {
  /** Names the checkpoint in messages (a file's path). */
  readonly name: string;
  /** Replaces the stored checkpoint with `bytes`, whole or not at all. */
  write(bytes: Uint8Array): void;
  /** The stored bytes, or `undefined` when nothing has been stored yet. */
  read(): Uint8Array | undefined;
}

/**
 * A checkpoint store in memory (tests, browsers, rollback points).
 *
 * @example const store = memoryCheckpointStore(); await distiller.saveCheckpoint(store);
 */
export function memoryCheckpointStore(name = 'checkpoint in memory'): CheckpointStore {
  let stored: Uint8Array | undefined;
  return {
    name,
    write(bytes) {
      stored = bytes.slice();
    },
    read() {
      return stored;
    },
  };
}

/** Encodes `content` into `store`. */
export async function writeCheckpoint(
  store: CheckpointStore,
  content: CheckpointContent,
): Promise<void> {
  store.write(await encodeCheckpoint(content));
}

/** Decodes the checkpoint in `store`; throws naming the store when it holds none. */
export function readCheckpoint(store: CheckpointStore): CheckpointContent {
  const bytes = store.read();
  if (bytes === undefined) throw new Error(`loadCheckpoint: ${store.name} does not exist`);
  return decodeCheckpoint(bytes, store.name);
}
