/**
 * Validates a decoded request body against an operation's shape in the two
 * passes Kinesis makes: types first (SerializationException), then model
 * constraints (ValidationException listing every violation).
 */
import { checkConstraints } from './check-constraints';
import { checkTypes, type TimestampUnit } from './check-types';
import type { Shape } from './shape';

/**
 * `raw` is the body as the codec decoded it. The result has only the
 * shape's members, converted (Buffers, epoch ms). T must be the typed form
 * that matches `shape` (see request-shapes.ts); the two passes guarantee
 * the required members are present and of their types.
 */
export function validateRequest<T>(shape: Shape, raw: unknown, unit: TimestampUnit): T {
  const value = checkTypes(raw, shape, unit);
  checkConstraints(value, shape);
  return value as T;
}
