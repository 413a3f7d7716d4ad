import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { Topology } from '../components/Topology.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="topology.ts"><Topology model={modelOf(asyncapi, originalAsyncAPI)} /></File>;
}
