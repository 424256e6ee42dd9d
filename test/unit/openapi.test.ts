import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { errorCodesOf, openApiDocument, openApiText } from "../../contracts/openapi";
import { OPERATIONS } from "../../contracts/operations";
import { ROUTES } from "../../lambdas/routes";

const COMMITTED = join(__dirname, "../../contracts/openapi.json");

interface Operation {
  operationId: string;
  security: unknown[];
  responses: Record<string, { $ref?: string }>;
  requestBody?: { required: boolean };
}
type Paths = Record<string, Record<string, Operation>>;

describe("the OpenAPI document", () => {
  it("is committed exactly as the schemas and the route manifest generate it", () => {
    // Act
    const committed = readFileSync(COMMITTED, "utf8");

    // Assess
    if (committed !== openApiText())
      throw new Error(
        "contracts/openapi.json differs from the zod schemas and routes: run `npm run openapi`",
      );
  });

  it("has every route of the manifest under its path and method, named by its operation", () => {
    // Act
    const paths = openApiDocument().paths as Paths;

    // Assess
    for (const route of ROUTES) {
      const operation = paths[route.path]?.[route.method.toLowerCase()];
      expect({ route: `${route.method} ${route.path}`, operationId: operation?.operationId }).toEqual({
        route: `${route.method} ${route.path}`,
        operationId: route.operation,
      });
    }
    const documented = Object.values(paths).flatMap((item) => Object.keys(item));
    expect(documented).toHaveLength(ROUTES.length);
  });

  it("lists each error code of a route under the status the router answers it with", () => {
    // Prepare
    const paths = openApiDocument().paths as Paths;
    const approve = paths["/v1/tasks/{task_id}/approve"]?.post;
    const deny = paths["/v1/tasks/{task_id}/deny"]?.post;

    // Assess
    expect(approve?.responses["409"]?.$ref).toBe(
      "#/components/responses/ALREADY_VOTED-or-LOCKED-or-REQUEST_ALREADY_DECIDED-or-TASK_NOT_ACTIVE",
    );
    expect(approve?.responses["403"]?.$ref).toBe(
      "#/components/responses/FORBIDDEN-or-REAUTHENTICATION_REQUIRED-or-SEPARATION_OF_DUTIES",
    );
    // One deny ends any request, a locked task's too.
    expect(deny?.responses["409"]?.$ref).toBe(
      "#/components/responses/REQUEST_ALREADY_DECIDED-or-TASK_NOT_ACTIVE",
    );
    expect(approve?.responses["404"]?.$ref).toBe(
      "#/components/responses/REQUEST_NOT_FOUND-or-TASK_NOT_FOUND",
    );
    const health = ROUTES.find((r) => r.operation === "health");
    if (!health) throw new Error("no health route");
    expect(errorCodesOf(health, OPERATIONS.health)).toEqual(["RATE_LIMITED", "INTERNAL_ERROR"]);
  });

  it("asks agents for SigV4, humans for a Cognito token and nothing of the public routes", () => {
    // Prepare
    const paths = openApiDocument().paths as Paths;

    // Assess
    expect(paths["/v1/tasks"]?.post?.security).toEqual([{ sigv4: [] }, { localToken: [] }]);
    expect(paths["/v1/pending"]?.get?.security).toEqual([{ cognito: [] }, { localToken: [] }]);
    expect(paths["/v1/tasks/{task_id}"]?.get?.security).toEqual([{ sigv4: [] }, { localToken: [] }]);
    expect(paths["/v1/health"]?.get?.security).toEqual([]);
    expect(paths["/v1/slack/commands"]?.post?.security).toEqual([{ slackSignature: [] }]);
  });

  it("marks a body optional only when every one of its fields is", () => {
    // Prepare
    const paths = openApiDocument().paths as Paths;

    // Assess
    expect(paths["/v1/tasks/{task_id}/cancel"]?.post?.requestBody?.required).toBe(false);
    expect(paths["/v1/tasks/{task_id}/tool-calls"]?.post?.requestBody?.required).toBe(true);
  });

  it("has component schemas that a strict JSON Schema 2020-12 validator compiles", () => {
    // Prepare
    const document = openApiDocument();
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    // The components are reached by JSON pointer; the keyword holding them is no schema itself.
    ajv.addKeyword("components");
    ajv.addFormat("date-time", true);

    // Act
    ajv.addSchema({ $id: "gates", components: document.components }, "gates");
    const schemas = Object.keys((document.components as { schemas: object }).schemas);

    // Assess
    for (const id of schemas) expect(() => ajv.getSchema(`gates#/components/schemas/${id}`)).not.toThrow();
    expect(schemas).toEqual(expect.arrayContaining(["TaskView", "EvaluationResponse", "CreateTaskBody"]));
  });
});
