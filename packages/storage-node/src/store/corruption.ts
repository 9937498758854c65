/** Thrown when stored data fails a check; the node must stop and rebuild rather than serve or replicate it (node-db.ts). */
export class CorruptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptionError';
  }
}
