// Each component of the template, rendered from the fixture contract's model, against
// its snapshot; and the model itself: built once per document, cross-cutting sends given
// to every service but the excepted ones, broken contracts refused with the reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildModel, modelOf } from '../lib/model.mjs';
import { FIXTURE, loadComponents, parseContract, render, type LoadedComponents } from './support/components.ts';
import { matchSnapshot } from './support/snapshot.ts';

let loaded: LoadedComponents;
let asyncapi: unknown;
let original = '';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let model: any;

test.before(async () => {
  ({ asyncapi, original } = await parseContract(FIXTURE));
  model = modelOf(asyncapi, original);
  loaded = await loadComponents();
});
test.after(async () => {
  await loaded?.remove();
});

const c = (name: string) => {
  const component = loaded.components[name];
  assert.type(component, 'function', `components export ${name}`);
  return component;
};
const service = (name: string) => model.services.find((s: { name: string }) => s.name === name);
const message = (name: string) => model.messages.find((m: { name: string }) => m.name === name);

test('the model is built once per document', () => {
  const before = modelOf.builds;
  assert.is(modelOf(asyncapi, original), model);
  assert.is(modelOf.builds, before, 'no second build for the same document');
});

test('a send marked x-every-service goes to every service but the excepted ones', () => {
  assert.equal(service('web').sends, ['LogEmitted', 'ThingCreated']);
  assert.equal(service('web').everyServiceSends, ['LogEmitted']);
  assert.equal(service('worker').sends, ['LogEmitted', 'ThingDone']);
  assert.equal(service('log-sink').sends, []);
  assert.equal(model.everyServiceSends, [{ operationId: 'everyService_sendLogEmitted', message: 'LogEmitted', except: ['log-sink'], summary: 'Every service but the sink reports what it did.' }]);
});

test('a contract the runtime could not honour is refused with the reason', async () => {
  const broken = original.replace('      except: [log-sink]', '      except: [log-sinc]');
  assert.not.equal(broken, original);
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'fixture-'));
  try {
    await writeFile(path.join(dir, 'asyncapi.yaml'), broken);
    const parsed = await parseContract(path.join(dir, 'asyncapi.yaml'));
    assert.throws(() => buildModel(parsed.asyncapi, parsed.original), /x-every-service.except names 'log-sinc', not declared in x-services/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const cases: [string, () => unknown][] = [
  ['EventConstructor.ThingDone', () => c('EventConstructor')({ message: 'ThingDone' })],
  ['HandlerInterface.worker', () => c('HandlerInterface')({ service: service('worker') })],
  ['HandlerInterface.log-sink', () => c('HandlerInterface')({ service: service('log-sink') })],
  ['ServiceDefinition.worker', () => c('ServiceDefinition')({ service: service('worker') })],
  ['ServiceDefinition.web', () => c('ServiceDefinition')({ service: service('web') })],
  ['ServiceContract.worker', () => c('ServiceContract')({ service: service('worker') })],
  ['ServiceContract.web', () => c('ServiceContract')({ service: service('web') })],
  ['ServiceIndex', () => c('ServiceIndex')({ services: model.services })],
  ['Skeleton.worker.onThingCreated', () => c('Skeleton')({ service: service('worker'), receive: service('worker').receives[0] })],
  ['ValidatorTypes.ThingCreated', () => c('ValidatorTypes')({ message: message('ThingCreated') })],
  ['Validator.ThingDone', () => c('Validator')({ model, message: message('ThingDone') })],
  ['Types', () => c('Types')({ model })],
  ['Topology', () => c('Topology')({ model })],
  ['Registry', () => c('Registry')({ model })],
  ['EventFlowMermaid', () => c('EventFlowMermaid')({ model })],
  ['EventFlowSvg', () => c('EventFlowSvg')({ model, title: 'Template fixture' })],
  ['EventPage', () => c('EventPage')({ model, title: 'Template fixture' })],
];

for (const [name, element] of cases) {
  test(`${name} renders as its snapshot`, async () => {
    await matchSnapshot(`components/${name}.txt`, render(element()));
  });
}

test.run();
