// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: no provider, no recorded
// spans; an effect still continues the incoming trace through its traceparent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { trace } from '@opentelemetry/api';
import { ConfigError, loadConfig } from '../runtime/config.ts';
import { contextOfTraceparent, effectTraceparent, SpanKind, startSpan, startTracing } from '../runtime/tracing.ts';

const INCOMING = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('without OTEL_EXPORTER_OTLP_ENDPOINT no tracer provider is registered and spans record nothing', async () => {
  const config = loadConfig({});
  assert.is(config.otelEndpoint, undefined);
  const stop = startTracing(config, ['payment']);
  const delegate = (trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate();
  assert.is((delegate as object).constructor.name, 'NoopTracerProvider');
  const span = startSpan('payment handle OrderPersisted', SpanKind.CONSUMER, contextOfTraceparent(INCOMING), {});
  assert.not.ok(span.isRecording());
  await stop();
});

test('without a provider an effect gets a new span id in the incoming trace, and a new trace without one', () => {
  const span = startSpan('x', SpanKind.CONSUMER, contextOfTraceparent(INCOMING), {});
  const effect = effectTraceparent(span);
  assert.match(effect, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  assert.is.not(effect, INCOMING);
  const root = effectTraceparent(startSpan('y', SpanKind.SERVER, contextOfTraceparent(undefined), {}));
  assert.match(root, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.is.not(root.slice(3, 35), '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL; OTEL_SERVICE_NAME names the spans\' service', () => {
  const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: 'shop' });
  assert.is(config.otelEndpoint, 'http://jaeger:4318');
  assert.is(config.otelServiceName, 'shop');
  assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }), (e: unknown) => e instanceof ConfigError);
});

test.run();
