#!/usr/bin/env node
import * as tf from '@tensorflow/tfjs';
import { runCli } from './cli.js';

// tfjs's console notes (the cpu backend's "Hi, looks like you are running TensorFlow.js in
// Node.js" banner) are not the command's output: fdistill says itself which backend runs and why.
tf.enableProdMode();
process.exitCode = await runCli(process.argv.slice(2));
