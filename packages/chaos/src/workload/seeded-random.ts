/** The chaos suite's seeded random source is core's (a seed replays the same workload keys and fault schedule). */
export { SeededRandom } from '@shoal/core';
