/**
 * A gRPC client interceptor that times unary calls (streams such as etcd
 * watches and lease keepalives last for the life of the process, so a
 * duration says nothing about them). Used on the etcd client of every
 * process (shoal_etcd_request_duration_seconds).
 */
import * as grpc from '@grpc/grpc-js';

/** One finished unary call: the method's last path part ("Range"), seconds, and "ok" or the gRPC status name. */
export type CallObserver = (method: string, seconds: number, outcome: string) => void;

/** "/etcdserverpb.KV/Range" -> "Range". */
export function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** "ok" for OK, else the status name in snake case ("deadline_exceeded"). */
export function outcomeOf(code: grpc.status): string {
  return code === grpc.status.OK ? 'ok' : (grpc.status[code] ?? 'unknown').toLowerCase();
}

export function timingInterceptor(observe: CallObserver): grpc.Interceptor {
  return (options, nextCall) => {
    const definition = options.method_definition;
    if (definition.requestStream || definition.responseStream) return new grpc.InterceptingCall(nextCall(options));
    const started = process.hrtime.bigint();
    const method = methodName(definition.path);
    return new grpc.InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            observe(method, Number(process.hrtime.bigint() - started) / 1e9, outcomeOf(status.code));
            nextStatus(status);
          },
        });
      },
    });
  };
}
