import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { Types } from '../components/Types.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  return <File name="types.ts"><Types model={modelOf(asyncapi, originalAsyncAPI)} /></File>;
}
