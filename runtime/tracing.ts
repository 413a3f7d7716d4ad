// Traces: one order is one trace, from its HTTP request through every service's
// handling of its events to the e-mails sent about it. The runtime makes its spans
// with @opentelemetry/api only (auto-instrumentation of amqplib does not fit the
// outbox, which publishes later and from another process); the trace crosses the
// broker in each message's W3C `traceparent` header, and reaches the e-mail through
// the traceparent stored with the queued row.
//
// With no SDK registered the API is a no-op: a span is then the incoming trace's
// context as it is (non-recording), so log lines still carry the trace id of the
// message or request they are about, and effects still get a child traceparent.
// The SDK is registered only when OTEL_EXPORTER_OTLP_ENDPOINT is set (startTracing),
// or by a test through registerTracing with its own span processor.
// The AsyncLocalStorage context manager is registered in every process (useTraceContext):
// it is what lets a handler's log lines find the span they were written in; its cost is
// one context switch per delivery.
import {
  context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Span, type SpanContext, type TextMapGetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config } from './config.ts';
import { childTraceparent } from './envelope.ts';

export { SpanKind, SpanStatusCode, type Span };

/** The runtime's tracer; a proxy, so it makes real spans once a provider is registered, whenever that is. */
export const tracer = trace.getTracer('order-pipeline');

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' || Array.isArray(value) ? value as string | string[] : undefined;
  },
};

let contextManager: AsyncLocalStorageContextManager | undefined;

/** Registers the AsyncLocalStorage context manager (once per process), so async work sees the span it runs in. */
export function useTraceContext(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(propagator);
}

/**
 * Registers a tracer provider with these span processors (an exporter's, or a test's
 * in-memory one); returns the shutdown that flushes them and unregisters it.
 */
export function registerTracing(spanProcessors: SpanProcessor[], serviceName = 'order-pipeline'): () => Promise<void> {
  useTraceContext();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }), spanProcessors });
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('a tracer provider is registered already: tracing is started once per process');
  return async () => {
    await provider.shutdown();
    trace.disable();
  };
}

/**
 * Exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; else registers
 * no provider (spans stay no-ops). Returns the shutdown to call when the process stops.
 */
export function startTracing(config: Pick<Config, 'otelEndpoint' | 'otelServiceName'>, services: readonly string[]): () => Promise<void> {
  useTraceContext();
  if (!config.otelEndpoint) return async () => undefined;
  const exporter = new OTLPTraceExporter({ url: `${config.otelEndpoint.replace(/\/+$/, '')}/v1/traces` });
  return registerTracing([new BatchSpanProcessor({ exporter })], config.otelServiceName ?? services.join(','));
}

/** The context whose span is the one a `traceparent` (header value) names; the root context without one. */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent ? contextOfHeaders({ traceparent }) : ROOT_CONTEXT;
}

/** The context of the trace W3C headers (`traceparent`, `tracestate`) continue; the root context without them. */
export function contextOfHeaders(headers: Record<string, unknown>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** Starts a span as a child of `parent`'s span (a remote one for a message or request). */
export function startSpan(name: string, kind: SpanKind, parent: Context, attributes: Attributes): Span {
  return tracer.startSpan(name, { kind, attributes }, parent);
}

/** Runs `fn` with `span` as the active span: its log lines and the spans it starts belong to it. Without a span, in the context as it is. */
export function inSpan<T>(span: Span | undefined, fn: () => T): T {
  return span ? context.with(trace.setSpan(context.active(), span), fn) : fn();
}

/** The active span, if there is one (the consumer's delivery span, the request span). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** Ends a span, marked as failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** The W3C header value naming a span. */
export function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The traceparent of an effect (an event, a queued e-mail) of the work `span` covers:
 * the span itself when it is recorded (so the effect's handling is its child in the
 * exported trace); else a new span id in the span's trace (a non-recording span is
 * the incoming context), or in `fallback`'s trace, or a new trace.
 */
export function effectTraceparent(span: Span | undefined, fallback?: string): string {
  const sc = span?.spanContext();
  if (sc && span!.isRecording()) return traceparentOf(sc);
  return childTraceparent(sc && isSpanContextValid(sc) ? traceparentOf(sc) : fallback);
}

/** trace_id and span_id of the active span, for log lines; undefined outside any trace. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  return traceIdsOf(trace.getSpanContext(context.active()));
}

/** trace_id and span_id of a span, for a log line written outside it (e.g. once its request is answered). */
export function traceIdsOf(span: Span | SpanContext | undefined): { trace_id: string; span_id: string } | undefined {
  const sc = span && 'spanContext' in span ? span.spanContext() : span;
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
}
