// One JSON call through inject, as the API tests make them: the status, the parsed body, the raw text
// and the headers. Tests wrap it with their credential header (x-api-key, x-operator-key).
import type { FastifyInstance } from "fastify";

export type Json = Record<string, any>;
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export async function jsonCall(app: FastifyInstance, method: Method, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, json: res.json() as Json, text: res.body, headers: res.headers };
}

export const operatorHeader = (key: string | null): Record<string, string> => (key ? { "x-operator-key": key } : {});
