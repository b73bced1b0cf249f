// Each request's logger (request.log, reply.log), made only when something is logged at an enabled
// level. Fastify builds a pino child per request for its request id, and with the redaction paths of
// src/main/logger.ts that child cost about 3 % of a cached status read's CPU (issue 16), although at the
// usual level (warn) a request that goes well logs nothing. What is logged is the same as before:
// the real child, with the same bindings, is made on the first enabled call and used from then on.
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from "pino";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
/** The parent is the app's pino logger, which answers isLevelEnabled. */
type Parent = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.real[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real.level = level;
  }

  fatal(...args: unknown[]): void {
    this.log("fatal", args);
  }

  error(...args: unknown[]): void {
    this.log("error", args);
  }

  warn(...args: unknown[]): void {
    this.log("warn", args);
  }

  info(...args: unknown[]): void {
    this.log("info", args);
  }

  debug(...args: unknown[]): void {
    this.log("debug", args);
  }

  trace(...args: unknown[]): void {
    this.log("trace", args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** The childLoggerFactory of the app (Fastify's option): lazy unless the route sets its own level or serializers. */
export function requestLogger(this: FastifyInstance, logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as Partial<Parent>;
  if (typeof parent.isLevelEnabled !== "function" || Object.keys(opts).length > 0) return logger.child(bindings, opts);
  return new LazyRequestLogger(parent as Parent, bindings);
}
