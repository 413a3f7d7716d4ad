// The one failure classification: what each kind of error means for the message
// (the real database's errors are checked in outage.int.spec.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverException } from '@mikro-orm/core';
import { BrokerUnavailableError, classifyFailure, DependencyUnavailableError, PermanentError, TransientError } from '../runtime/errors.ts';
import { EnvelopeError } from '../runtime/envelope.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

test('an unreachable database or broker is infrastructure, however it is wrapped', () => {
  const cases: unknown[] = [
    pgError('57P01', 'terminating connection due to administrator command'),
    pgError('57P03', 'the database system is starting up'),
    pgError('08006', 'connection failure'),
    pgError('53300', 'sorry, too many clients already'),
    pgError('53100', 'could not extend file "base/16384/16385": No space left on device'),
    new DriverException(pgError('25006', 'cannot execute INSERT in a read-only transaction')),
    new DriverException(pgError('57P02', 'terminating connection because of crash of another server process')),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('timeout exceeded when trying to connect'),
    sysError('ECONNREFUSED'),
    new Error('insert failed', { cause: sysError('ECONNRESET') }),
    new Error('Channel closed'),
    new BrokerUnavailableError('no open channel'),
  ];
  for (const error of cases) assert.is(classifyFailure(error), 'infrastructure', String(error));
});

test('bad data and PermanentErrors are permanent; everything else transient', () => {
  assert.is(classifyFailure(pgError('22P02', 'invalid input syntax for type uuid: "urn:uuid:x"')), 'permanent');
  assert.is(classifyFailure(new DriverException(pgError('22003', 'integer out of range'))), 'permanent');
  assert.is(classifyFailure(new PermanentError('declined for good')), 'permanent');
  assert.is(classifyFailure(new EnvelopeError('message 7 has no type property')), 'permanent');
  assert.is(classifyFailure(pgError('40P01', 'deadlock detected')), 'transient');
  assert.is(classifyFailure(pgError('23505', 'duplicate key value violates unique constraint')), 'transient');
  assert.is(classifyFailure(new Error('something odd')), 'transient');
  assert.is(classifyFailure('a string'), 'transient');
});

test('an outside dependency that is down is unavailable: the message waits, its attempts unspent', () => {
  assert.is(classifyFailure(new DependencyUnavailableError('payment gateway answered 503')), 'unavailable');
  assert.is(classifyFailure(new DependencyUnavailableError('payment gateway unreachable', { cause: sysError('ECONNREFUSED') })), 'unavailable');
  // another session's lock held past lock_timeout: an abandoned transaction, not the message
  assert.is(classifyFailure(pgError('55P03', 'canceling statement due to lock timeout')), 'unavailable');
  assert.is(classifyFailure(new DriverException(pgError('55P03', 'canceling statement due to lock timeout'))), 'unavailable');
  assert.is(classifyFailure(pgError('57014', 'canceling statement due to statement timeout')), 'transient');
});

test('a handler that chose a kind has decided: a gateway refusing connections is not our outage', () => {
  assert.is(classifyFailure(new TransientError('payment gateway unreachable', { cause: sysError('ECONNREFUSED') })), 'transient');
  assert.is(classifyFailure(new PermanentError('gateway said no', { cause: sysError('ECONNRESET') })), 'permanent');
});

test.run();
