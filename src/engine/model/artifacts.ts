// A model's topology and weights in memory, as the layers format stores them: what a save writes
// and what a replica thread rebuilds its copy of the model from. Small on purpose (no file
// system): the replica threads' bundle includes it.
import * as tf from '../core/tf';

/** The model's topology and weights as the layers format stores them. */
export async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  // tfjs saves to file:// only with tfjs-node; a custom save handler works on every backend.
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: false },
  );
  return captured!;
}
