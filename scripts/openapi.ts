// `npm run openapi`: writes contracts/openapi.json from the route manifest and the zod schemas.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openApiText } from "../contracts/openapi";

const target = join(__dirname, "../contracts/openapi.json");
writeFileSync(target, openApiText());
console.log(`wrote ${target}`);
