import { SeededRandom } from '../../../src/seeded-random';

/** The simulation's random source: core's SeededRandom with the seed mixed first, so neighbouring seeds start far apart. */
export class Rng extends SeededRandom {
  constructor(seed: number) {
    super((seed * 0x9e3779b1) >>> 0);
  }
}
