// When Train Model offers Install Native TensorFlow: once per user, when a run trains on
// WebAssembly because native TensorFlow is missing — not when the user chose a backend, not
// where tfjs-node has no build.
export interface OfferInputs {
  /** The backend the run reported. */
  backend: string;
  /** The digitRecognizer.backend setting. */
  preference: string;
  installed: boolean;
  offeredBefore: boolean;
  /** tfjs-node has a build for this platform. */
  supported: boolean;
}

export function shouldOfferNative(i: OfferInputs): boolean {
  return i.backend === 'wasm' && i.preference === 'auto' && !i.installed && !i.offeredBefore && i.supported;
}
