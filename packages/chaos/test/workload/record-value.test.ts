import { strict as assert } from 'node:assert';
import { errorName, outcomeOf } from '../../src/workload/outcome';
import { recordData, valueOf } from '../../src/workload/record-value';

describe('record value', () => {
  it('round-trips the value and rejects foreign data', () => {
    assert.equal(valueOf(recordData('w3-17', 'w3-key-1')), 'w3-17');
    assert.equal(valueOf(Buffer.from('hello')), null);
    assert.equal(valueOf(Buffer.from('chaos|not a value|k|')), null);
  });

  it('classifies errors: throttled or invalid = fail, unknown = info', () => {
    assert.equal(outcomeOf('ProvisionedThroughputExceededException'), 'fail');
    assert.equal(outcomeOf('ValidationException'), 'fail');
    assert.equal(outcomeOf('InternalFailure'), 'info');
    assert.equal(outcomeOf('ServiceUnavailable'), 'info');
    assert.equal(outcomeOf('TimeoutError'), 'info');
    assert.equal(outcomeOf(errorName(Object.assign(new Error('x'), { code: 'ECONNRESET' }))), 'info');
  });
});
