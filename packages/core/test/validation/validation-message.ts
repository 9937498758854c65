/** Shared by the validation tests: the message of the ValidationException a body gets. */
import assert from 'node:assert/strict';
import { KinesisError } from '../../src/errors';
import type { Shape } from '../../src/validation/shape';
import { validateRequest } from '../../src/validation/validate-request';

/** The message of the ValidationException `body` gets against `shape`; fails the test if it gets none. */
export function validationMessage(shape: Shape, body: unknown): string {
  try {
    validateRequest(shape, body, 'seconds');
  } catch (err) {
    assert.ok(err instanceof KinesisError);
    assert.equal(err.type, 'ValidationException');
    return err.message;
  }
  return assert.fail('expected a ValidationException');
}
