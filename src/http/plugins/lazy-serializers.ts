// Fastify's response serializers (fast-json-stringify, built from each route's response schemas),
// each built on its first use instead of when the app is built: building all of them took ~0.6 s of
// CPU in every test harness, most of whose routes never answer. The first response of a route pays a
// few milliseconds once; what it writes is the same. The gateway's own start builds them all
// (buildApp's `serializers: "eager"`), so a schema that cannot compile stops it, and a test builds
// them all once (test/http/response-serializers.test.ts).
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import type { FastifyServerOptions } from "fastify";

type Serializer = (doc: unknown) => string;

const eagerFactory = SerializerSelector();

/** Fastify's `schemaController` option: the default serializer factory, made lazy per route and status. */
export const lazySerializers: NonNullable<FastifyServerOptions["schemaController"]> = {
  compilersFactory: {
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compile = eagerFactory(externalSchemas, options as never);
      return (routeDef: Parameters<typeof compile>[0]): Serializer => {
        let serialize: Serializer | undefined;
        return (doc) => (serialize ??= compile(routeDef))(doc);
      };
    },
  },
};
