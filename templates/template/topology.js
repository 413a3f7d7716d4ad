import { File } from '@asyncapi/generator-react-sdk';
import { buildModel } from '../lib/model.js';
import { renderTopology } from '../lib/topology.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="topology.ts">{renderTopology(buildModel(asyncapi, originalAsyncAPI))}</File>;
}
