import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { Registry } from '../components/Registry.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="registry.ts"><Registry model={modelOf(asyncapi, originalAsyncAPI)} /></File>;
}
