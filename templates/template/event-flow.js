import { File } from '@asyncapi/generator-react-sdk';
import { modelOf } from '#lib/model.mjs';
import { EventFlowMermaid, EventFlowSvg, EventPage } from '../components/EventFlow.js';

export default function ({ asyncapi, originalAsyncAPI }) {
  const model = modelOf(asyncapi, originalAsyncAPI);
  return [
    <File name="event-flow.mmd"><EventFlowMermaid model={model} /></File>,
    <File name="event-flow.svg"><EventFlowSvg model={model} title={asyncapi.info().title()} /></File>,
    <File name="events.html"><EventPage model={model} title={asyncapi.info().title()} /></File>,
  ];
}
