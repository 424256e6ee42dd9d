import * as z from "zod/mini";

/** A schema with a description (and more) for the OpenAPI document; the schema itself is returned. */
export function described<T extends z.ZodMiniType>(schema: T, meta: z.core.GlobalMeta): T {
  z.globalRegistry.add(schema, meta);
  return schema;
}

/** A whole number. */
export const int = () => z.number().check(z.int());

/** A whole number between two bounds. */
export const bounded = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
