// Why this file exists: TF.js's Adam updates each weight tensor with ~12 element-wise ops; on the
// wasm backend this optimizer does it in one pass of our C kernel (kernels/adam.ts) with the
// same arithmetic, and runs TF.js's own code everywhere else. It keeps TF.js's state (moments
// named "<weight>/m" and "/v", accBeta1/2, iterations), so getWeights/setWeights and saving
// behave as before; its class name stays "Adam".
import * as tf from '../core/tf';
import { ADAM_UPDATE } from '../kernels/adam';
import { ownKernels } from '../kernels/ownKernels';

type Moment = { originalName: string; variable: tf.Variable };
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2, null as unknown as number);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) === undefined || !ownKernels(tf.backend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    // As tfjs-core: 1 − β^t from the float32 accumulators, every scalar rounded to float32.
    const [oneMinusAccBeta1, oneMinusAccBeta2] = tf.tidy(() => [tf.sub(1, self.accBeta1), tf.sub(1, self.accBeta2)].map((t) => t.dataSync()[0]));
    const attrs = {
      beta1: self.beta1,
      oneMinusBeta1: 1 - self.beta1,
      beta2: self.beta2,
      oneMinusBeta2: 1 - self.beta2,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
      epsilon: self.epsilon,
      negLearningRate: -self.learningRate,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { value, gradient, m, v }, attrs) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        value.assign(w2);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}
